"""The engine's own certificate authority, made on first start in the engine's state directory.

It signs each agent's certificate at enrollment and the engine's client certificate; agents trust only
this CA, and the engine trusts only agents signed by it. Keys are EC P-256 files readable by the
engine's user alone (0600), like oVirt's /etc/pki/ovirt-engine.
"""

from __future__ import annotations

import datetime
import functools
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_YEARS = 10
CERT_YEARS = 5


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return key


@dataclass
class EngineCA:
    directory: Path
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def ca_path(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def client_cert_path(self) -> Path:
        return self.directory / "engine.pem"

    @property
    def client_key_path(self) -> Path:
        return self.directory / "engine-key.pem"

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @classmethod
    def load_or_create(cls, state_dir: Path) -> EngineCA:
        directory = state_dir / "pki"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_path, cert_path = directory / "ca-key.pem", directory / "ca.pem"
        if key_path.exists() and cert_path.exists():
            ca = cls(directory, _load_key(key_path), x509.load_pem_x509_certificate(cert_path.read_bytes()))
        else:
            ca = cls._create(directory)
        ca._ensure_client_certificate()
        return ca

    @classmethod
    def _create(cls, directory: Path) -> EngineCA:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"dcnet engine CA {os.urandom(4).hex()}")])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(minutes=5))
            .not_valid_after(_now() + datetime.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256())
        )
        _write(directory / "ca-key.pem", _key_pem(key), 0o600)
        _write(directory / "ca.pem", cert.public_bytes(serialization.Encoding.PEM), 0o644)
        return cls(directory, key, cert)

    def _ensure_client_certificate(self) -> None:
        if self.client_cert_path.exists() and self.client_key_path.exists():
            return
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dcnet engine")])
        pem = self._issue(subject, key.public_key(), ExtendedKeyUsageOID.CLIENT_AUTH)
        _write(self.client_key_path, _key_pem(key), 0o600)
        _write(self.client_cert_path, pem.encode(), 0o644)

    def sign_agent_csr(self, csr_pem: str, host_name: str) -> str:
        """The agent's certificate: its own key (from the CSR), the host's name as subject."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        if not csr.is_signature_valid:
            raise ValueError("the agent's certificate request is not signed by its key")
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name[:64])])
        return self._issue(subject, csr.public_key(), ExtendedKeyUsageOID.SERVER_AUTH)

    def _issue(self, subject: x509.Name, public_key: object, usage: x509.ObjectIdentifier) -> str:
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(minutes=5))
            .not_valid_after(_now() + datetime.timedelta(days=365 * CERT_YEARS))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    def client_context(self) -> ssl.SSLContext:
        """Mutual TLS towards enrolled agents: trust only this CA, present the engine's certificate."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_path))
        context.check_hostname = False  # agents are identified by a certificate from this CA, not by name
        context.load_cert_chain(str(self.client_cert_path), str(self.client_key_path))
        return context


@functools.cache
def enrollment_context() -> ssl.SSLContext:
    """Before enrollment the agent serves a self-signed certificate; the one-time token authenticates. No
    certificate store is loaded (none is consulted), and one context serves every enrollment."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
