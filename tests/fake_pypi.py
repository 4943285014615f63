"""A fake pypi.org for the dependency audit test, run on this machine only.

`FakePyPI` is an HTTP proxy on 127.0.0.1 (a random port, one thread per connection). It accepts
`CONNECT pypi.org:443`, ends the client's TLS itself with a certificate for pypi.org signed by a
throwaway CA, and answers PyPI's per-release JSON API (`/pypi/<name>/<version>/json`) from the
releases the test publishes; anything else is a 404. Clients reach it through `HTTPS_PROXY` and
trust it through `REQUESTS_CA_BUNDLE`, as pip-audit (requests) would trust the real PyPI.
"""

import datetime
import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "pypi.org"
RELEASE_PATH = re.compile(r"/pypi/(?P<name>[^/]+)/(?P<version>[^/]+)/json")


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def write_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A new CA and a pypi.org certificate it signed, as PEM files: (ca, certificate, key)."""
    now = datetime.datetime.now(datetime.UTC)
    valid_from, valid_to = now - datetime.timedelta(days=1), now + datetime.timedelta(days=1)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake PyPI test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )

    ca_path, certificate_path, key_path = (
        directory / "ca.pem",
        directory / "pypi.org.pem",
        directory / "pypi.org.key",
    )
    ca_path.write_bytes(_pem(ca))
    certificate_path.write_bytes(_pem(certificate))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, certificate_path, key_path


def advisory(advisory_id: str, *, fixed_in: list[str], summary: str, aliases=()) -> dict:
    """One entry of a release's `vulnerabilities`, shaped as PyPI publishes them (from OSV)."""
    return {
        "id": advisory_id,
        "aliases": list(aliases),
        "fixed_in": fixed_in,
        "summary": summary,
        "details": summary,
        "link": f"https://osv.dev/vulnerability/{advisory_id}",
        "source": "osv",
        "withdrawn": None,
    }


@dataclass
class FakePyPI:
    """`releases` maps (name, version) to that release's advisories; an unlisted release is a
    404, as PyPI answers for a package it does not have. `requested` and `tunnels` record what
    clients asked for, in order."""

    directory: Path
    releases: dict = field(default_factory=dict)
    requested: list = field(default_factory=list)
    tunnels: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def publish(self, name: str, version: str, vulnerabilities=()) -> None:
        self.releases[(name, version)] = list(vulnerabilities)

    def start(self) -> None:
        self.ca_path, certificate_path, key_path = write_certificates(self.directory)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(certificate_path, key_path)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(self, tls))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, path: str) -> dict | None:
        """PyPI's JSON for a release path, or None for a 404."""
        match = RELEASE_PATH.fullmatch(path)
        if match is None or (match["name"], match["version"]) not in self.releases:
            return None
        name, version = match["name"], match["version"]
        return {
            "info": {"name": name, "version": version},
            "last_serial": 1,
            "releases": {},
            "urls": [],
            "vulnerabilities": self.releases[(name, version)],
        }


def _proxy_handler(fake: FakePyPI, tls: ssl.SSLContext) -> type[BaseHTTPRequestHandler]:
    class PyPIHandler(BaseHTTPRequestHandler):
        """pypi.org itself, inside the tunnel: keep-alive, as requests expects of it."""

        protocol_version = "HTTP/1.1"
        timeout = 10

        def do_GET(self) -> None:
            fake.requested.append(self.path)
            body = fake.answer(self.path)
            status = 200 if body is not None else 404
            payload = json.dumps(body if body is not None else {"message": "Not Found"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            # No answer of the fake may be reused by a later run.
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args) -> None:
            pass

    class ProxyHandler(BaseHTTPRequestHandler):
        timeout = 10

        def do_CONNECT(self) -> None:
            fake.tunnels.append(self.path)
            if self.path != f"{HOST}:443":
                self.send_error(403, "This proxy reaches pypi.org only")
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            self.close_connection = True
            try:
                connection = tls.wrap_socket(self.connection, server_side=True)
            except (ssl.SSLError, OSError) as error:
                fake.errors.append(f"TLS handshake: {error}")
                return
            try:
                PyPIHandler(connection, self.client_address, self.server)
            finally:
                connection.close()

        def log_message(self, format, *args) -> None:
            pass

    return ProxyHandler
