"""The security log (logger `mentorship.security`) and what it says of a request: the client's
address, seen through the configured proxies, and a digest of an address typed at sign-in,
never the address itself. Rate limits count clients by the same address."""

import hashlib
import ipaddress
import logging

from django.conf import settings

security_log = logging.getLogger("mentorship.security")


def client_ip(request) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies, each appends the address it
    saw to X-Forwarded-For: the client is that many entries from the end, and what it wrote
    itself before them is ignored (it could forge anything there). An entry that is not an
    address (a port after it is allowed) falls back to the connection's own address."""
    if request is None:
        return None
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and (address := _address(forwarded[-proxies])):
            return address
    return _address(request.META.get("REMOTE_ADDR", ""))


def client_address(request) -> str:
    return client_ip(request) or "-"


def login_digest(address) -> str:
    """The address typed is personal data: the log keeps a digest that matches the same
    address again (to see a guessing run) without writing it down."""
    typed = str(address or "").strip().lower()
    return hashlib.sha256(typed.encode()).hexdigest()[:12] if typed else "-"


def _address(text: str) -> str | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.9:5555 (some gateways add the port)
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack listener shows IPv4 clients as ::ffff:a.b.c.d: read as IPv6, the rate
    # limits' /64 mask would put every one of them in a single counter.
    return str(getattr(address, "ipv4_mapped", None) or address)
