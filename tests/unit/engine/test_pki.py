"""engine/pki.py: the engine's CA, made once in its state directory; agent certificates it signs from their
CSRs; the engine's mutual-TLS client context, against a real handshake on a socket pair."""

from __future__ import annotations

import datetime
import socket
import ssl
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dcnet.agent.fleet.tls import server_context
from dcnet.engine.pki import EngineCA

FILES = {"ca.pem": 0o644, "ca-key.pem": 0o600, "engine.pem": 0o644, "engine-key.pem": 0o600}


def csr_for(key: ec.EllipticCurvePrivateKey, common_name: str = "agent-host") -> str:
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def tampered(csr_pem: str, old: bytes, new: bytes) -> str:
    """The same CSR with bytes of its signed part changed: structurally valid, signature no longer matches."""
    der = x509.load_pem_x509_csr(csr_pem.encode()).public_bytes(serialization.Encoding.DER)
    assert len(old) == len(new) and der.count(old) == 1
    csr = x509.load_der_x509_csr(der.replace(old, new))
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


@pytest.fixture
def ca(tmp_path: Path) -> EngineCA:
    return EngineCA.load_or_create(tmp_path / "state")


# --- creation and loading -------------------------------------------------------------------------------------


def test_ca_is_created_once_with_private_keys_for_the_engine_only(tmp_path: Path) -> None:
    ca = EngineCA.load_or_create(tmp_path / "state")
    directory = tmp_path / "state" / "pki"
    assert ca.directory == directory
    assert {p.name for p in directory.iterdir()} == set(FILES)
    for name, mode in FILES.items():
        assert stat.S_IMODE((directory / name).stat().st_mode) == mode, name
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert (ca.ca_path, ca.client_cert_path, ca.client_key_path) == (
        directory / "ca.pem",
        directory / "engine.pem",
        directory / "engine-key.pem",
    )
    cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    assert cert == ca.cert and ca.pem == (directory / "ca.pem").read_text()
    assert cert.subject == cert.issuer
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    cert.verify_directly_issued_by(cert)
    assert public(cert.public_key()) == public(ca.key.public_key())


def test_second_start_loads_the_same_ca_and_engine_certificate(tmp_path: Path) -> None:
    first = EngineCA.load_or_create(tmp_path / "state")
    before = {name: (first.directory / name).read_bytes() for name in FILES}
    second = EngineCA.load_or_create(tmp_path / "state")
    assert second.cert == first.cert
    assert public(second.key.public_key()) == public(first.key.public_key())
    assert {name: (second.directory / name).read_bytes() for name in FILES} == before
    # and it still signs for the first CA
    x509.load_pem_x509_certificate(
        second.sign_agent_csr(csr_for(ec.generate_private_key(ec.SECP256R1())), "h").encode()
    ).verify_directly_issued_by(first.cert)


def test_lost_engine_certificate_is_reissued_by_the_same_ca(tmp_path: Path) -> None:
    first = EngineCA.load_or_create(tmp_path / "state")
    old_engine_cert = first.client_cert_path.read_bytes()
    first.client_cert_path.unlink()
    second = EngineCA.load_or_create(tmp_path / "state")
    assert second.cert == first.cert
    assert second.client_cert_path.read_bytes() != old_engine_cert
    assert stat.S_IMODE(second.client_key_path.stat().st_mode) == 0o600
    x509.load_pem_x509_certificate(second.client_cert_path.read_bytes()).verify_directly_issued_by(first.cert)


def test_engine_certificate_is_a_client_certificate_issued_by_the_ca(ca: EngineCA) -> None:
    cert = x509.load_pem_x509_certificate(ca.client_cert_path.read_bytes())
    cert.verify_directly_issued_by(ca.cert)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH
    ]
    key = serialization.load_pem_private_key(ca.client_key_path.read_bytes(), password=None)
    assert public(cert.public_key()) == public(key.public_key())


def test_two_state_directories_are_two_different_cas(tmp_path: Path) -> None:
    one, two = EngineCA.load_or_create(tmp_path / "a"), EngineCA.load_or_create(tmp_path / "b")
    assert one.cert.subject != two.cert.subject
    assert public(one.key.public_key()) != public(two.key.public_key())


# --- signing agent CSRs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host_name", "common_name"),
    [
        pytest.param("host1", "host1", id="short-name"),
        pytest.param("host1.example.com", "host1.example.com", id="fqdn"),
        pytest.param("h" * 64, "h" * 64, id="64-chars"),
        pytest.param("h" * 70, "h" * 64, id="longer-than-64-truncated"),
    ],
)
def test_agent_certificate_is_for_the_csr_key_issued_by_the_ca_named_after_the_host(
    ca: EngineCA, host_name: str, common_name: str
) -> None:
    agent_key = ec.generate_private_key(ec.SECP256R1())
    cert = x509.load_pem_x509_certificate(
        ca.sign_agent_csr(csr_for(agent_key, "what-the-agent-asked"), host_name).encode()
    )
    assert public(cert.public_key()) == public(agent_key.public_key())
    cert.verify_directly_issued_by(ca.cert)
    assert cert.issuer == ca.cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == common_name
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]
    now = datetime.datetime.now(datetime.UTC)
    assert cert.not_valid_before_utc <= now < cert.not_valid_after_utc <= ca.cert.not_valid_after_utc


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(b"agent-host", b"agent-hosx", id="subject-changed-after-signing"),
    ],
)
def test_agent_csr_with_a_bad_signature_is_refused(ca: EngineCA, old: bytes, new: bytes) -> None:
    bad = tampered(csr_for(ec.generate_private_key(ec.SECP256R1())), old, new)
    with pytest.raises(ValueError, match="not signed by its key"):
        ca.sign_agent_csr(bad, "host1")


def test_agent_csr_signed_by_another_key_is_refused(ca: EngineCA) -> None:
    """The CSR's public key swapped for another key's: the signature no longer verifies with it."""
    good = csr_for(ec.generate_private_key(ec.SECP256R1()))
    other = ec.generate_private_key(ec.SECP256R1())
    good_key = x509.load_pem_x509_csr(good.encode()).public_key()
    # both SPKIs have the same DER length for P-256, so swap the raw point inside the CSR
    bad = tampered(good, public(good_key)[-65:], public(other.public_key())[-65:])
    with pytest.raises(ValueError, match="not signed by its key"):
        ca.sign_agent_csr(bad, "host1")


@pytest.mark.parametrize("garbage", [pytest.param("", id="empty"), pytest.param("not a csr", id="text")])
def test_agent_csr_that_is_not_pem_is_refused(ca: EngineCA, garbage: str) -> None:
    with pytest.raises(ValueError):
        ca.sign_agent_csr(garbage, "host1")


# --- mutual TLS between the engine and an agent ----------------------------------------------------------------


def agent_files(directory: Path, cert_pem: str, key: ec.EllipticCurvePrivateKey, client_ca: Path) -> ssl.SSLContext:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "agent.pem").write_text(cert_pem)
    (directory / "agent-key.pem").write_bytes(key_pem(key))
    context: ssl.SSLContext = server_context(directory / "agent.pem", directory / "agent-key.pem", client_ca)
    return context


def handshake(
    client: ssl.SSLContext, server: ssl.SSLContext
) -> tuple[BaseException | None, BaseException | None, dict[str, Any] | None]:
    """One TLS handshake over a socket pair: (client error, server error, the client cert the server saw)."""
    left, right = socket.socketpair()
    left.settimeout(5)
    right.settimeout(5)
    result: dict[str, object] = {}

    def serve() -> None:
        try:
            with server.wrap_socket(right, server_side=True) as tls:
                result["peer"] = tls.getpeercert()
                tls.sendall(b"ok")
        except (OSError, ssl.SSLError) as exc:
            result["error"] = exc

    thread = threading.Thread(target=serve)
    thread.start()
    client_error: BaseException | None = None
    try:
        with client.wrap_socket(left, server_hostname="agent-host") as tls:
            assert tls.recv(2) == b"ok"
    except (OSError, ssl.SSLError) as exc:
        client_error = exc
    finally:
        left.close()
        thread.join(10)
        right.close()
    assert not thread.is_alive()
    return client_error, result.get("error"), result.get("peer")  # type: ignore[return-value]


def test_engine_client_context_trusts_an_agent_certificate_signed_by_its_ca(ca: EngineCA, tmp_path: Path) -> None:
    agent_key = ec.generate_private_key(ec.SECP256R1())
    cert_pem = ca.sign_agent_csr(csr_for(agent_key), "host1")
    server = agent_files(tmp_path / "agent", cert_pem, agent_key, ca.ca_path)
    client_error, server_error, peer = handshake(ca.client_context(), server)
    assert client_error is None and server_error is None
    assert peer is not None and dict(x[0] for x in peer["subject"])["commonName"] == "dcnet engine"


def test_engine_client_context_refuses_an_agent_certificate_from_another_ca(ca: EngineCA, tmp_path: Path) -> None:
    other = EngineCA.load_or_create(tmp_path / "other")
    agent_key = ec.generate_private_key(ec.SECP256R1())
    cert_pem = other.sign_agent_csr(csr_for(agent_key), "host1")
    server = agent_files(tmp_path / "agent", cert_pem, agent_key, ca.ca_path)
    client_error, _, _ = handshake(ca.client_context(), server)
    assert isinstance(client_error, ssl.SSLCertVerificationError)
    assert "certificate verify failed" in str(client_error)


def test_agent_of_another_engine_refuses_this_engine_client_certificate(ca: EngineCA, tmp_path: Path) -> None:
    """The agent was enrolled by another engine: its server trusts only that CA for clients."""
    other = EngineCA.load_or_create(tmp_path / "other")
    agent_key = ec.generate_private_key(ec.SECP256R1())
    server = agent_files(tmp_path / "agent", ca.sign_agent_csr(csr_for(agent_key), "host1"), agent_key, other.ca_path)
    _, server_error, peer = handshake(ca.client_context(), server)
    assert peer is None
    assert isinstance(server_error, ssl.SSLError)
    assert "certificate verify failed" in str(server_error)


def test_engine_client_context_refuses_a_server_presenting_a_client_only_certificate(
    ca: EngineCA, tmp_path: Path
) -> None:
    """A certificate from the right CA but without serverAuth (the engine's own) does not pass as an agent."""
    engine_key = serialization.load_pem_private_key(ca.client_key_path.read_bytes(), password=None)
    assert isinstance(engine_key, ec.EllipticCurvePrivateKey)
    server = agent_files(tmp_path / "agent", ca.client_cert_path.read_text(), engine_key, ca.ca_path)
    client_error, _, _ = handshake(ca.client_context(), server)
    assert isinstance(client_error, ssl.SSLCertVerificationError)


def test_engine_client_context_settings(ca: EngineCA) -> None:
    context = ca.client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is False
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", ca.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),),)
    ]
