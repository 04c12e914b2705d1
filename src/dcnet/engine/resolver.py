"""Host name → every A and AAAA record: the system resolver (getaddrinfo) or a named DNS server."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.resolver


class ResolveError(Exception):
    """The name could not be resolved; the message says why (NXDOMAIN, timeout, ...)."""


class Resolver(Protocol):
    async def resolve(self, name: str) -> list[str]: ...


def literal(name: str) -> str | None:
    """An IP literal resolves to itself."""
    try:
        return str(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        return None


def _unique(addresses: list[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


class SystemResolver:
    """getaddrinfo, both families."""

    async def resolve(self, name: str) -> list[str]:
        ip = literal(name)
        if ip is not None:
            return [ip]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ResolveError(exc.strerror or str(exc)) from None
        return _unique([str(info[4][0]) for info in infos])


class DnsServerResolver:
    """A named DNS server queried with dnspython (the lab's dnsmasq; a site's own resolver)."""

    def __init__(self, server: str, timeout: float = 5.0) -> None:
        host, _, port = server.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535 or literal(host) is None:
            raise ValueError(f"expected ADDRESS:PORT (an IP address, port 1-65535; [v6]:port), got {server!r}")
        self.server = server
        self._resolver = dns.asyncresolver.Resolver(configure=False)
        self._resolver.nameservers = [host.strip("[]")]
        self._resolver.port = int(port)
        self._resolver.lifetime = timeout

    async def resolve(self, name: str) -> list[str]:
        ip = literal(name)
        if ip is not None:
            return [ip]
        found: list[str] = []
        errors: list[str] = []
        for record in ("A", "AAAA"):
            try:
                answer = await self._resolver.resolve(name, record)
                found.extend(item.to_text() for item in answer)
            except dns.resolver.NXDOMAIN:
                raise ResolveError(f"{name}: no such name (NXDOMAIN) at {self.server}") from None
            except dns.resolver.NoAnswer:
                continue
            except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
                errors.append(f"{record}: {exc}")
        if not found:
            raise ResolveError("; ".join(errors) or f"{name}: no A or AAAA record at {self.server}")
        return _unique(found)


def make_resolver(dns_server: str | None) -> Resolver:
    return DnsServerResolver(dns_server) if dns_server else SystemResolver()
