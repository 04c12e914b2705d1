"""Server-side TLS contexts of sim hosts (and of the benchmark's echo server, so both use the same settings)."""

from __future__ import annotations

import ssl
from pathlib import Path


def server_context(
    cert: Path, key: Path, client_ca: Path | None = None, *, before_enrollment: bool = False
) -> ssl.SSLContext:
    """Python's server defaults (TLS 1.2+) without session tickets; with `client_ca`, only clients with a
    certificate signed by it pass the handshake.

    A bare SSLContext, not create_default_context(): that one loads the system CA store, ~40 ms per context,
    which a fleet cannot pay ten thousand times. No tickets: no client of ours resumes sessions, and on
    OpenSSL 3.0 issuing them is a quarter of a mutual-TLS handshake.

    `before_enrollment`: TLS 1.3 only too, so (without tickets) no session made before enrollment, without a
    client certificate, can be resumed after it, when the same context demands one."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.num_tickets = 0
    if client_ca is not None:
        require_client_certificates(context, cert, key, client_ca)
        return context
    context.load_cert_chain(cert, key)
    if before_enrollment:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def require_client_certificates(context: ssl.SSLContext, cert: Path, key: Path, client_ca: Path) -> None:
    """Switch a context to mutual TLS in place: its listener hands it to every new connection, so a sim host
    enrolls without a new listener."""
    context.load_cert_chain(cert, key)
    context.load_verify_locations(cafile=client_ca)
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
