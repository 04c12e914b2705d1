"""Enrollment: before it trusts an engine, the agent serves only ping and these two steps over TLS with
a self-signed certificate. The engine proves it knows the one-time token (printed by the agent and
written to STATE_DIR/enrollment-token) and hands over its CA; the agent answers a CSR for its own key;
the engine returns the signed certificate. From then on only clients signed by that CA are accepted and
the token is dead. Keys are EC P-256 (fast to make and sign, even for thousands of simulated hosts)."""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dcnet.agent.persistence import write_atomic
from dcnet.domain.hostnet.codes import Code, SetupError

log = logging.getLogger("dcnet.agent.enrollment")


@dataclass(frozen=True)
class TlsPaths:
    ca: Path
    cert: Path
    key: Path


class Identity:
    """The agent's key and certificates in its state directory."""

    def __init__(self, state_dir: Path, hostname: str | None = None, *, durable: bool = True) -> None:
        self.dir = state_dir
        self.hostname = hostname or socket.gethostname()
        self.durable = durable  # False for simulated hosts: thousands of them enroll at once
        self.key_path = state_dir / "agent-key.pem"
        self.selfsigned_path = state_dir / "agent-selfsigned.pem"
        self.cert_path = state_dir / "agent-cert.pem"
        self.ca_path = state_dir / "engine-ca.pem"
        self.token_path = state_dir / "enrollment-token"
        self.pending_ca_path = state_dir / "engine-ca.pending.pem"
        self.pending_bootstrap_path = state_dir / "bootstrap.pending"

    @property
    def enrolled(self) -> bool:
        return self.cert_path.exists() and self.ca_path.exists() and self.key_path.exists()

    def enrolled_paths(self) -> TlsPaths:
        return TlsPaths(self.ca_path, self.cert_path, self.key_path)

    # ---- before enrollment -------------------------------------------------------------------
    def prepare(self) -> str:
        """Key, self-signed certificate and a fresh one-time token (returned, and written 0600)."""
        self.ensure_selfsigned()
        return self.new_token()

    def ensure_selfsigned(self) -> None:
        """The key and the self-signed certificate served until enrollment (a fleet makes them lazily)."""
        if self.selfsigned_path.exists() and self.key_path.exists():
            return
        key = self._key()
        pem = _self_signed(key, self.hostname).public_bytes(serialization.Encoding.PEM).decode()
        write_atomic(self.selfsigned_path, pem, durable=self.durable)

    def new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        write_atomic(self.token_path, token + "\n", mode=0o600, durable=self.durable)
        return token

    def _key(self) -> ec.EllipticCurvePrivateKey:
        if self.key_path.exists():
            loaded = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
            assert isinstance(loaded, ec.EllipticCurvePrivateKey)
            return loaded
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_atomic(self.key_path, pem.decode(), mode=0o600, durable=self.durable)
        return key

    def check_token(self, token: str) -> None:
        expected = self.token_path.read_text().strip() if self.token_path.exists() else ""
        if not expected or not hmac.compare_digest(expected.encode(), token.encode()):
            raise SetupError(Code.ENROLLMENT_REFUSED, "wrong enrollment token")

    def begin(self, token: str, ca_pem: str) -> str:
        """Check the token, remember the engine's CA, answer a CSR for the agent's key."""
        self.check_token(token)
        try:
            x509.load_pem_x509_certificate(ca_pem.encode())
        except ValueError:
            raise SetupError(Code.BAD_PARAMS, "caCertificate is not a PEM certificate") from None
        write_atomic(self.pending_ca_path, ca_pem, durable=self.durable)
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.hostname)]))
            .sign(self._key(), hashes.SHA256())
        )
        return csr.public_bytes(serialization.Encoding.PEM).decode()

    def complete(self, token: str, cert_pem: str) -> None:
        """Accept the engine-signed certificate: it must be for our key and signed by the CA given before."""
        self.check_certificate(token, cert_pem)
        self.commit(cert_pem)

    def check_certificate(self, token: str, cert_pem: str) -> None:
        """Everything `complete` checks, changing nothing: work that must succeed before the identity is
        committed (the bootstrap of the management network) runs between the check and the commit."""
        self.check_token(token)
        if not self.pending_ca_path.exists():
            raise SetupError(Code.BAD_PARAMS, "call Host.beginEnrollment first")
        ca = x509.load_pem_x509_certificate(self.pending_ca_path.read_bytes())
        try:
            cert = x509.load_pem_x509_certificate(cert_pem.encode())
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, Exception) as exc:  # InvalidSignature has no common base
            raise SetupError(Code.ENROLLMENT_REFUSED, f"certificate not signed by the engine CA: {exc}") from None
        if cert.public_key().public_numbers() != self._key().public_key().public_numbers():  # type: ignore[union-attr]
            raise SetupError(Code.ENROLLMENT_REFUSED, "certificate is not for this agent's key")

    def commit(self, cert_pem: str) -> None:
        """The certificate (already checked) becomes the agent's; the token dies."""
        write_atomic(self.cert_path, cert_pem, durable=self.durable)
        self.pending_ca_path.replace(self.ca_path)
        self.token_path.unlink(missing_ok=True)  # the token is dead
        self.pending_bootstrap_path.unlink(missing_ok=True)
        log.info("enrolled: from now on only clients signed by the engine CA are accepted")

    # ---- the management network built at enrollment (legacy clusters, node hosts) -------------
    def remember_bootstrap(self, network: str | None) -> None:
        """Between the two enrollment steps, on disk: an agent restarted in between still builds it."""
        if network is None:
            self.pending_bootstrap_path.unlink(missing_ok=True)
            return
        write_atomic(self.pending_bootstrap_path, network + "\n", durable=self.durable)

    def pending_bootstrap(self) -> str | None:
        """The management network to build before committing, if Host.beginEnrollment asked for one."""
        if not self.pending_bootstrap_path.exists():
            return None
        return self.pending_bootstrap_path.read_text().strip() or None


def _self_signed(key: ec.EllipticCurvePrivateKey, hostname: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{hostname} (not enrolled)")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


class FailureThrottle:
    """Repeated wrong tokens are answered more and more slowly (up to 10 s)."""

    def __init__(self) -> None:
        self.failures = 0

    def delay(self) -> float:
        return min(0.25 * (2 ** min(self.failures, 6)), 10.0) if self.failures else 0.0

    def failed(self) -> None:
        self.failures += 1

    def succeeded(self) -> None:
        self.failures = 0
