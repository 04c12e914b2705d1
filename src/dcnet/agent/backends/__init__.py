"""Backends: `sim` (in memory) and `linux` (netlink via pyroute2, `ip -j` for reports)."""
