"""Test/demo lab: hosts made of network namespaces on one bridge, with DNS, DHCPv4/v6 and RA.

Usage (root only; layout as in lab.md §7): ``lab = Lab(prefix="nl", net=77, n=2, nics=3).up()``, then
``lab.exec("h1", ...)``, ``lab.resolver()``, ``lab.start_agent("h1", [...])``, and ``lab.down()``, which
also works from the prefix alone (another process, a failed up).

``Lab(..., ovs=True)`` adds an Open vSwitch instance per host and routed lab VLANs (100, 3000), and
``lab.build_bond_host("h1")`` a host whose address sits on ``bond4.3000`` (see README-ovs.md).
"""

from dcnet.lab.bonds import BondHost
from dcnet.lab.lab import Lab
from dcnet.lab.topology import LabError, LabHost

__all__ = ["BondHost", "Lab", "LabError", "LabHost"]
