"""enrollment.py: one-time token, CSR for the agent's own key, certificate signed by the engine CA."""

from __future__ import annotations

import datetime
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dcnet.agent.enrollment import FailureThrottle, Identity
from dcnet.domain.hostnet.codes import Code, SetupError


@dataclass
class Ca:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def sign(self, csr_pem: str, public_key: ec.EllipticCurvePublicKey | None = None) -> str:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.cert.subject)
            .public_key(public_key or csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode()


def make_ca(name: str) -> Ca:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Ca(key, cert)


@pytest.fixture(scope="module")
def engine_ca() -> Ca:
    return make_ca("dcnet engine CA")


@pytest.fixture(scope="module")
def other_ca() -> Ca:
    return make_ca("someone else's CA")


@pytest.fixture
def identity(tmp_path: Path) -> Identity:
    return Identity(tmp_path, hostname="host-0.example.com")


def refused(call: Callable[[], object]) -> SetupError:
    with pytest.raises(SetupError) as info:
        call()
    return info.value


def agent_public_numbers(identity: Identity) -> ec.EllipticCurvePublicNumbers:
    key = serialization.load_pem_private_key(identity.key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.public_key().public_numbers()


# --- prepare -----------------------------------------------------------------------------------------------


def test_prepare_writes_a_0600_token_key_and_self_signed_certificate(identity: Identity) -> None:
    token = identity.prepare()
    assert len(token) >= 32
    assert identity.token_path.read_text().strip() == token
    assert stat.S_IMODE(identity.token_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(identity.key_path.stat().st_mode) == 0o600
    selfsigned = x509.load_pem_x509_certificate(identity.selfsigned_path.read_bytes())
    assert selfsigned.subject == selfsigned.issuer
    assert "host-0.example.com" in selfsigned.subject.rfc4514_string()
    assert selfsigned.public_key().public_numbers() == agent_public_numbers(identity)  # type: ignore[union-attr]
    assert not identity.enrolled


def test_prepare_again_makes_a_new_token_but_keeps_the_key(identity: Identity) -> None:
    first = identity.prepare()
    key = identity.key_path.read_bytes()
    second = identity.prepare()
    assert first != second
    assert identity.key_path.read_bytes() == key
    refused(lambda: identity.check_token(first))
    identity.check_token(second)


# --- the token ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param(lambda token: "not-the-token", id="other-text"),
        pytest.param(lambda token: "", id="empty"),
        pytest.param(lambda token: token + "x", id="trailing-character"),
        pytest.param(lambda token: token[:8], id="prefix-only"),
        pytest.param(lambda token: f" {token}", id="leading-blank"),
    ],
)
def test_wrong_token_is_refused_with_401(identity: Identity, engine_ca: Ca, wrong: Callable[[str], str]) -> None:
    candidate = wrong(identity.prepare())
    for call in (lambda: identity.check_token(candidate), lambda: identity.begin(candidate, engine_ca.pem)):
        error = refused(call)
        assert error.code == Code.ENROLLMENT_REFUSED
        assert int(error.code) == 401
        assert error.message == "wrong enrollment token"
    assert not identity.pending_ca_path.exists()


def test_without_a_prepared_token_even_an_empty_token_is_refused(identity: Identity) -> None:
    assert refused(lambda: identity.check_token("")).code == Code.ENROLLMENT_REFUSED


# --- begin -------------------------------------------------------------------------------------------------


def test_begin_returns_a_csr_for_the_agents_key(identity: Identity, engine_ca: Ca) -> None:
    token = identity.prepare()
    csr = x509.load_pem_x509_csr(identity.begin(token, engine_ca.pem).encode())
    assert csr.is_signature_valid
    assert csr.public_key().public_numbers() == agent_public_numbers(identity)  # type: ignore[union-attr]
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "host-0.example.com"
    assert identity.pending_ca_path.read_text() == engine_ca.pem
    assert not identity.enrolled


def test_begin_with_a_ca_that_is_not_pem_is_refused_with_21(identity: Identity) -> None:
    token = identity.prepare()
    error = refused(lambda: identity.begin(token, "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"))
    assert error.code == Code.BAD_PARAMS
    assert "caCertificate" in error.message


# --- complete ----------------------------------------------------------------------------------------------


def test_complete_with_a_certificate_signed_by_the_ca_enrolls(identity: Identity, engine_ca: Ca) -> None:
    token = identity.prepare()
    cert_pem = engine_ca.sign(identity.begin(token, engine_ca.pem))
    identity.complete(token, cert_pem)
    assert identity.enrolled
    assert identity.cert_path.read_text() == cert_pem
    assert identity.ca_path.read_text() == engine_ca.pem
    assert not identity.token_path.exists()
    assert not identity.pending_ca_path.exists()
    paths = identity.enrolled_paths()
    assert (paths.ca, paths.cert, paths.key) == (identity.ca_path, identity.cert_path, identity.key_path)
    # the token is dead: enrollment cannot be repeated
    assert refused(lambda: identity.begin(token, engine_ca.pem)).code == Code.ENROLLMENT_REFUSED
    assert refused(lambda: identity.complete(token, cert_pem)).code == Code.ENROLLMENT_REFUSED


def test_complete_with_a_certificate_signed_by_another_ca_is_refused(
    identity: Identity, engine_ca: Ca, other_ca: Ca
) -> None:
    token = identity.prepare()
    csr = identity.begin(token, engine_ca.pem)
    error = refused(lambda: identity.complete(token, other_ca.sign(csr)))
    assert error.code == Code.ENROLLMENT_REFUSED
    assert "not signed by the engine CA" in error.message
    assert not identity.enrolled
    assert identity.token_path.exists()  # the right certificate may still come
    identity.complete(token, engine_ca.sign(csr))
    assert identity.enrolled


def test_complete_with_a_certificate_for_another_key_is_refused(identity: Identity, engine_ca: Ca) -> None:
    token = identity.prepare()
    csr = identity.begin(token, engine_ca.pem)
    stranger = ec.generate_private_key(ec.SECP256R1()).public_key()
    error = refused(lambda: identity.complete(token, engine_ca.sign(csr, public_key=stranger)))
    assert (error.code, error.message) == (Code.ENROLLMENT_REFUSED, "certificate is not for this agent's key")
    assert not identity.enrolled


def test_complete_with_garbage_is_refused(identity: Identity, engine_ca: Ca) -> None:
    token = identity.prepare()
    identity.begin(token, engine_ca.pem)
    assert refused(lambda: identity.complete(token, "garbage")).code == Code.ENROLLMENT_REFUSED


def test_complete_with_a_wrong_token_is_refused(identity: Identity, engine_ca: Ca) -> None:
    token = identity.prepare()
    cert_pem = engine_ca.sign(identity.begin(token, engine_ca.pem))
    assert refused(lambda: identity.complete("wrong", cert_pem)).code == Code.ENROLLMENT_REFUSED
    assert not identity.enrolled


def test_complete_before_begin_is_refused_with_21(identity: Identity, engine_ca: Ca) -> None:
    token = identity.prepare()
    error = refused(lambda: identity.complete(token, engine_ca.pem))
    assert (error.code, error.message) == (Code.BAD_PARAMS, "call Host.beginEnrollment first")


# --- throttling wrong tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0.0), (1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 10.0), (7, 10.0), (100, 10.0)],
    ids=lambda value: str(value),
)
def test_failure_throttle_delays_grow_and_cap_at_10_s(failures: int, delay: float) -> None:
    throttle = FailureThrottle()
    for _ in range(failures):
        throttle.failed()
    assert throttle.delay() == delay


def test_failure_throttle_never_shrinks_while_failing_and_resets_on_success() -> None:
    throttle = FailureThrottle()
    delays = []
    for _ in range(12):
        throttle.failed()
        delays.append(throttle.delay())
    assert delays == sorted(delays)
    assert max(delays) == 10.0
    throttle.succeeded()
    assert throttle.delay() == 0.0
