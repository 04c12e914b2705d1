"""Test/demo lab: hosts made of network namespaces on one bridge, with DNS, DHCP and RA (see lab.py)."""

from dcnet.lab.lab import Lab
from dcnet.lab.topology import LabError, LabHost

__all__ = ["Lab", "LabError", "LabHost"]
