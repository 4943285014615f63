"""Fake identity providers for the single sign-on tests, run on this machine only.

`FakeOIDCProvider` is a real HTTP server on 127.0.0.1 (a random port, one thread per request)
with discovery, authorize, token, userinfo and JWKS endpoints and RS256-signed ID tokens;
allauth talks to it over HTTP as it would to a company's IdP. It notes every path asked of it,
so that it also serves as the canary an XXE payload would call. `FakeSAMLProvider` answers an
AuthnRequest with a SAML 2.0 Response whose assertion it signs with xmlsec (python3-saml); the
test posts that to the site's ACS URL as a browser would.
"""

import base64
import datetime
import functools
import hashlib
import json
import secrets
import threading
import urllib.parse
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

KEY_ID = "fake-idp-key"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def self_signed_certificate(key: rsa.RSAPrivateKey, name: str) -> str:
    """A PEM certificate for `key`, as an IdP publishes for its signatures."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


# --- OpenID Connect ---------------------------------------------------------------------------


@dataclass
class FakeOIDCProvider:
    """Who signs in is `person` (the claims the IdP gives out); `id_token_fault` spoils the ID
    token: "wrong_audience", "wrong_issuer" or "expired"."""

    client_id: str = "mentoring-app"
    client_secret: str = "s3cret-of-the-app"
    person: dict = field(default_factory=dict)
    id_token_fault: str | None = None
    key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    codes: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    token_requests: list = field(default_factory=list)
    paths: list = field(default_factory=list)  # every path asked for, in order

    def start(self) -> None:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                idp._handle(self)

            def do_POST(self):
                idp._handle(self)

            def log_message(self, *args):  # quiet: the test output stays readable
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # The endpoints.

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(http.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.paths.append(url.path)
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo,
            "/jwks": self._jwks,
        }
        route = routes.get(url.path)
        if route is None:
            return self._send(http, 404, {"error": "not_found"})
        return route(http, query)

    def _discovery(self, http, query) -> None:
        self._send(
            http,
            200,
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            },
        )

    def _authorize(self, http, query) -> None:
        """The person signs in at the IdP (here: at once) and is sent back with a code."""
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return self._send(http, 400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "person": dict(self.person),
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce"),
            "code_challenge": query.get("code_challenge"),
        }
        back = f"{query['redirect_uri']}?" + urllib.parse.urlencode(
            {"code": code, "state": query.get("state", "")}
        )
        http.send_response(302)
        http.send_header("Location", back)
        http.end_headers()

    def _token(self, http, query) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(http.rfile.read(length).decode()))
        self.token_requests.append(form)
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
            or form.get("redirect_uri") != grant["redirect_uri"]
            or not self._pkce_matches(grant["code_challenge"], form.get("code_verifier"))
        ):
            return self._send(http, 400, {"error": "invalid_grant"})
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = grant["person"]
        self._send(
            http,
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant["person"], grant["nonce"]),
            },
        )

    def _userinfo(self, http, query) -> None:
        token = (http.headers.get("Authorization") or "").removeprefix("Bearer ")
        person = self.access_tokens.get(token)
        if person is None:
            return self._send(http, 401, {"error": "invalid_token"})
        self._send(http, 200, person)

    def _jwks(self, http, query) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self._send(http, 200, {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]})

    # Helpers.

    @staticmethod
    def _pkce_matches(challenge: str | None, verifier: str | None) -> bool:
        if challenge is None:
            return True
        digest = hashlib.sha256((verifier or "").encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge

    def _id_token(self, person: dict, nonce: str | None) -> str:
        now = datetime.datetime.now(datetime.UTC)
        claims = {
            "iss": self.url,
            "aud": self.client_id,
            "iat": now,
            "exp": now + datetime.timedelta(minutes=5),
            "jti": secrets.token_hex(8),
            **({"nonce": nonce} if nonce else {}),
            **person,
        }
        if self.id_token_fault == "wrong_audience":
            claims["aud"] = "some-other-app"
        elif self.id_token_fault == "wrong_issuer":
            claims["iss"] = "https://idp.attacker.example"
        elif self.id_token_fault == "expired":
            claims["iat"] = now - datetime.timedelta(hours=2)
            claims["exp"] = now - datetime.timedelta(hours=1)
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    @staticmethod
    def _send(http, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)


# --- SAML 2.0 ---------------------------------------------------------------------------------

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


@dataclass
class FakeSAMLProvider:
    entity_id: str = "https://idp.example.com/saml"
    sso_url: str = "https://idp.example.com/saml/sso"
    key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)

    @functools.cached_property
    def certificate(self) -> str:
        return self_signed_certificate(self.key, "fake-idp")

    @staticmethod
    def read_authn_request(redirect_url: str) -> dict:
        """What the site asked for (HTTP-Redirect binding): the request's ID, where to answer,
        the site's entity ID, and the RelayState to send back."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect_url).query))
        xml = zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15)
        request = etree.fromstring(xml)  # noqa: S320 - our own site's request, in a test
        return {
            "id": request.get("ID"),
            "acs_url": request.get("AssertionConsumerServiceURL"),
            "sp_entity_id": request.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer"),
            "relay_state": query.get("RelayState", ""),
        }

    def response(
        self,
        authn_request: dict,
        *,
        email: str,
        subject_id: str | None = None,
        signed_by: rsa.RSAPrivateKey | None | bool = True,
    ) -> dict:
        """The form the IdP's page posts to the site: SAMLResponse and RelayState.

        `signed_by`: True signs with the IdP's key, a key signs with that one (and its own
        certificate), None leaves the assertion unsigned.
        """
        now = datetime.datetime.now(datetime.UTC)

        def instant(delta_minutes: int = 0) -> str:
            moment = now + datetime.timedelta(minutes=delta_minutes)
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

        acs_url = authn_request["acs_url"]
        # No request ID: an IdP-initiated response, which answers no request of the site's.
        in_response_to = (
            f' InResponseTo="{authn_request["id"]}"' if authn_request["id"] is not None else ""
        )
        subject_attribute = (
            f'<saml:Attribute Name="urn:oasis:names:tc:SAML:attribute:subject-id">'
            f"<saml:AttributeValue>{subject_id}</saml:AttributeValue></saml:Attribute>"
            if subject_id
            else ""
        )
        assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a{secrets.token_hex(16)}" Version="2.0" IssueInstant="{instant()}">
<saml:Issuer>{self.entity_id}</saml:Issuer>
<saml:Subject>
<saml:NameID Format="{EMAIL_FORMAT}">{email}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData NotOnOrAfter="{instant(5)}" Recipient="{acs_url}"{in_response_to}/>
</saml:SubjectConfirmation>
</saml:Subject>
<saml:Conditions NotBefore="{instant(-1)}" NotOnOrAfter="{instant(5)}">
<saml:AudienceRestriction><saml:Audience>{authn_request["sp_entity_id"]}</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AuthnStatement AuthnInstant="{instant()}" SessionIndex="_s{secrets.token_hex(8)}">
<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
</saml:AuthnStatement>
<saml:AttributeStatement>
<saml:Attribute Name="email"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>
{subject_attribute}
</saml:AttributeStatement>
</saml:Assertion>"""  # noqa: E501 - one XML document, easier to read unbroken
        if signed_by is True:
            signed_by = self.key
        if signed_by is not None:
            assertion = OneLogin_Saml2_Utils.add_sign(
                assertion,
                _private_pem(signed_by),
                self_signed_certificate(signed_by, "fake-idp")
                if signed_by is not self.key
                else self.certificate,
            ).decode()
            assertion = assertion.removeprefix("<?xml version='1.0' encoding='UTF-8'?>")
        response = f"""<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r{secrets.token_hex(16)}" Version="2.0" IssueInstant="{instant()}" Destination="{acs_url}"{in_response_to}>
<saml:Issuer>{self.entity_id}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{assertion}
</samlp:Response>"""  # noqa: E501
        return {
            "SAMLResponse": base64.b64encode(response.encode()).decode(),
            "RelayState": authn_request["relay_state"],
        }
