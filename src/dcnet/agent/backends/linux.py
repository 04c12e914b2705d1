"""The real backend: netlink (pyroute2) for every change, `ip -j` for reports, dhclient for DHCP."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import subprocess
import threading
import uuid
from pathlib import Path

from dcnet.agent.backend import BackendError
from dcnet.agent.backends.dhcp import DhcpClients
from dcnet.agent.backends.linux_query import read_state
from dcnet.agent.backends.netlink import Netlink, NetlinkFailure, PyrouteNetlink
from dcnet.agent.backends.ovs import OvsSwitch
from dcnet.agent.backends.resolv import DEFAULT_PATH as DEFAULT_RESOLV_CONF
from dcnet.agent.backends.resolv import write_nameservers
from dcnet.agent.backends.tc import clear_device_qos, read_qos, set_device_qos
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.state import Features, HostState

log = logging.getLogger("dcnet.agent.linux")
EADDRNOTAVAIL, EEXIST, ESRCH, EOPNOTSUPP = 99, 17, 3, 95
_BOND_MODES = {
    "0": "balance-rr", "1": "active-backup", "2": "balance-xor", "3": "broadcast",
    "4": "802.3ad", "5": "balance-tlb", "6": "balance-alb",
}  # fmt: skip


class LinuxBackend:
    def __init__(
        self,
        run_dir: Path,
        netlink: Netlink | None = None,
        *,
        monitor: bool = True,
        ovs: OvsSwitch | None = None,
        resolv_conf: Path = DEFAULT_RESOLV_CONF,
    ) -> None:
        self.run_dir = run_dir
        self.resolv_conf = resolv_conf
        self.netlink = netlink or PyrouteNetlink()
        self.ovs = ovs
        self.dhcp = DhcpClients(run_dir)
        self._counter = 0
        self._stop = threading.Event()
        self._isolated: dict[str, str | None] = {}  # isolated networks' bridges → uplink
        self._isolated_ports: set[int] = set()  # ports the watcher isolated (each once)
        if monitor:
            threading.Thread(target=self._watch, name="netlink-monitor", daemon=True).start()

    # ---- reports -------------------------------------------------------------------------------
    def probe(self) -> Features:
        return Features(
            kernel_vlan=_probe_kind("vlan"),
            kernel_bond=_probe_kind("bond"),
            ovs=self.ovs is not None and self.ovs.reachable(),
            dhcp_client=DhcpClients.available(),
        )

    def query(self) -> HostState:
        state = read_state(self.dhcp.running(4), self.dhcp.running(6), self.resolv_conf)
        state.qos = read_qos()
        if self.ovs is not None:
            state.ovs = self.ovs.query()
            for bridge in state.ovs.bridges.values():
                for port in bridge.ports.values():
                    for interface in port.interfaces if port.kind == "internal" else []:
                        if interface in state.devices:  # by interface: port `bond4-ip` holds interface `bond4`
                            state.devices[interface].kind = "ovs"
        return state

    def change_counter(self) -> int:
        return self._counter

    def follow_isolation(self, bridges: dict[str, str | None]) -> None:
        """The bridges of port-isolated networks (→ uplink): every port plugged into one later (a guest)
        is isolated by the netlink watcher."""
        self._isolated = dict(bridges)

    def _watch(self) -> None:
        """Any link, address or route event (ours or anyone's) moves the change counter; a new port of an
        isolated network's bridge is isolated at once."""
        from pyroute2 import IPRoute

        try:
            with IPRoute() as monitor:
                monitor.bind()
                while not self._stop.is_set():
                    for message in monitor.get():
                        self._counter += 1
                        if self._isolated:
                            self._isolate_new_port(monitor, message)
        except Exception:  # the counter is an optimisation; the agent keeps working without it
            log.exception("netlink monitor stopped; changeCounter will only move on dcnet's own changes")

    def _isolate_new_port(self, monitor: object, message: object) -> None:
        try:
            event = message.get("event")  # type: ignore[attr-defined]
            index = message.get("index")  # type: ignore[attr-defined]
            if event == "RTM_DELLINK":
                self._isolated_ports.discard(index)
                return
            if event != "RTM_NEWLINK" or message.get("family") != 0:  # type: ignore[attr-defined]
                return
            name = message.get_attr("IFLA_IFNAME")  # type: ignore[attr-defined]
            master_index = message.get_attr("IFLA_MASTER")  # type: ignore[attr-defined]
            if master_index is None:
                self._isolated_ports.discard(index)
                return
            master = socket.if_indextoname(master_index)
            if master not in self._isolated or name == self._isolated[master] or index in self._isolated_ports:
                return
            self._isolated_ports.add(index)
            set_isolated(name, True)
            log.info("port isolation: %s plugged into %s is isolated", name, master)
        except Exception:  # never let one odd message stop the watcher
            log.exception("port isolation: could not handle a netlink message")

    def close(self) -> None:
        self._stop.set()
        self.netlink.close()

    # ---- changes -------------------------------------------------------------------------------
    def apply(self, step: a.Action) -> None:
        nl = self.netlink
        if isinstance(step, a.CreateBridge):
            extra = {"address": step.mac} if step.mac else {}
            nl.link("add", ifname=step.name, kind="bridge", br_stp_state=int(step.stp), br_forward_delay=0, **extra)
        elif isinstance(step, a.CreateVlan):
            self._unsupported_as_error(
                lambda: nl.link("add", ifname=step.name, kind="vlan", link=nl.index(step.base), vlan_id=step.vlan_id),
                "VLAN devices (802.1Q)",
            )
        elif isinstance(step, a.CreateBond):
            options = {f"bond_{k}": _bond_value(k, v) for k, v in step.options.items()}
            self._unsupported_as_error(
                lambda: nl.link("add", ifname=step.name, kind="bond", **options), "bond devices (bonding)"
            )
        elif isinstance(step, a.SetMaster):
            index = nl.index(step.device)
            if step.master is None:
                nl.link("set", index=index, master=0)
            else:
                master = nl.index(step.master)
                if self._is_bond(step.master):
                    nl.link("set", index=index, state="down")  # a bond takes only slaves that are down
                nl.link("set", index=index, master=master)
                nl.link("set", index=index, state="up")
        elif isinstance(step, a.SetMtu):
            nl.link("set", index=nl.index(step.device), mtu=step.mtu)
            if self.ovs is not None:  # OVS keeps its interfaces at `mtu_request`; make it agree
                self.ovs.vsctl("--if-exists", "set", "interface", step.device, f"mtu_request={step.mtu}")
        elif isinstance(step, a.SetStp):
            nl.link("set", index=nl.index(step.bridge), kind="bridge", br_stp_state=int(step.enabled))
        elif isinstance(step, a.SetUp):
            nl.link("set", index=nl.index(step.device), state="up")
        elif isinstance(step, a.DeleteDevice):
            nl.link("del", index=nl.index(step.device))
        elif isinstance(step, a.AddAddress):
            interface = ipaddress.ip_interface(step.cidr)
            extra = {"IFA_FLAGS": 0x2} if interface.version == 6 else {}  # nodad: usable at once
            with _ignore(EEXIST):
                nl.addr(
                    "add",
                    index=nl.index(step.device),
                    address=str(interface.ip),
                    prefixlen=interface.network.prefixlen,
                    **extra,
                )
        elif isinstance(step, a.DeleteAddress):
            interface = ipaddress.ip_interface(step.cidr)
            with _ignore(EADDRNOTAVAIL):
                nl.addr(
                    "del", index=nl.index(step.device), address=str(interface.ip), prefixlen=interface.network.prefixlen
                )
        elif isinstance(step, a.SetDefaultRoute):
            family = 2 if step.family == 4 else 10
            dst = "0.0.0.0/0" if step.family == 4 else "::/0"
            nl.route("replace", dst=dst, gateway=step.gateway, oif=nl.index(step.device), family=family)
        elif isinstance(step, a.StartDhcp):
            self.dhcp.start(step.device, step.family, step.default_route)
        elif isinstance(step, a.StopDhcp):
            self.dhcp.stop(step.device, step.family)
        elif isinstance(step, a.SetAutoconf):
            _set_autoconf(step.device, step.enabled)
        elif isinstance(step, a.SetPortIsolation):
            set_isolated(step.port, step.isolated)
        elif isinstance(step, a.SetDeviceQos):
            set_device_qos(step.device, step.classes)
        elif isinstance(step, a.ClearDeviceQos):
            clear_device_qos(step.device)
        elif isinstance(step, a.SetNameservers):
            try:
                write_nameservers(self.resolv_conf, list(step.servers))
            except OSError as exc:
                raise BackendError(f"cannot write the name servers to {self.resolv_conf}: {exc}") from None
        elif isinstance(step, a.OvsAction | a.OvsTransaction):
            if self.ovs is None:
                raise BackendError("Open vSwitch is not configured for this agent (--ovsdb)")
            self.ovs.apply(step)
        else:  # pragma: no cover
            raise BackendError(f"unknown step {step!r}")
        self._counter += 1

    def _is_bond(self, name: str) -> bool:
        return Path(f"/sys/class/net/{name}/bonding").exists()

    @staticmethod
    def _unsupported_as_error(call: object, what: str) -> None:
        try:
            call()  # type: ignore[operator]
        except NetlinkFailure as failure:
            if failure.code == EOPNOTSUPP:
                raise BackendError(f"this host's kernel cannot create {what}") from None
            raise


def _bond_value(option: str, value: str) -> object:
    if option == "mode":
        return _BOND_MODES.get(value, value)
    return int(value) if value.isdigit() else value


@contextlib.contextmanager
def _ignore(code: int):  # type: ignore[no-untyped-def]
    try:
        yield
    except NetlinkFailure as failure:
        if failure.code != code:
            raise


def set_isolated(port: str, isolated: bool) -> None:
    """`bridge link set dev PORT isolated on|off`: an isolated port reaches only non-isolated ports."""
    result = subprocess.run(
        ["bridge", "link", "set", "dev", port, "isolated", "on" if isolated else "off"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackendError(f"cannot set port isolation on {port}: {result.stderr.strip()}")


def _set_autoconf(device: str, enabled: bool) -> None:
    base = Path("/proc/sys/net/ipv6/conf") / device
    try:
        base.joinpath("accept_ra").write_text("2" if enabled else "0")
        base.joinpath("autoconf").write_text("1" if enabled else "0")
    except OSError as exc:
        raise BackendError(f"cannot set IPv6 autoconf on {device}: {exc}") from None


def _probe_kind(kind: str) -> bool:
    """Create the device kind in a scratch namespace; EOPNOTSUPP means this kernel cannot."""
    from pyroute2 import IPRoute, NetlinkError, netns

    name = f"dcnet-probe-{uuid.uuid4().hex[:8]}"
    try:
        netns.create(name)
    except Exception:  # cannot make namespaces (not root?): say no rather than guess
        return False
    try:
        with IPRoute(netns=name) as ipr:
            if kind == "vlan":
                ipr.link("add", ifname="probe0", kind="veth", peer={"ifname": "probe1"})
                ipr.link("add", ifname="probe0.1", kind="vlan", link=ipr.link_lookup(ifname="probe0")[0], vlan_id=1)
            else:
                ipr.link("add", ifname="probebond", kind="bond")
        return True
    except NetlinkError:
        return False
    finally:
        with contextlib.suppress(Exception):
            netns.remove(name)
