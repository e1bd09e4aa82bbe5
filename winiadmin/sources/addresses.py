"""Where a URL may lead: http(s) only (plain http when allowed), and never into the inside
network — private, loopback, link-local, shared, reserved or multicast addresses are refused
unless ``SOURCE_ALLOWED_NETWORKS`` names them. Every address the host resolves to is checked,
and the connection is made to the address checked (``url.py``), so a name that resolves
differently the second time (DNS rebinding) cannot slip past."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.sources.errors import SourceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Target:
    """A URL as it will be fetched: its parts and the one address connected to."""

    scheme: str
    host: str
    port: int
    #: Path and query, as sent in the request line.
    path: str
    address: str


def _schemes(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def checked_target(url: str) -> Target:
    """The URL's target, if the policy allows it; else a ``SourceError`` saying why."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if get_config().SOURCE_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed:
        msg = _("Only %(schemes)s URLs can be imported, not %(url)r.") % {
            "schemes": _schemes(sorted(allowed)),
            "url": url,
        }
        raise SourceError(msg)
    if not parts.hostname or parts.username or parts.password:
        msg = _("The URL %(url)r needs a host name and no user name or password.") % {"url": url}
        raise SourceError(msg)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise SourceError(_("The URL %(url)r has no valid port.") % {"url": url}) from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, allowed_address(parts.hostname, port))


def allowed_address(host: str, port: int) -> str:
    """The address to connect to: the host's, every one of them allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise SourceError(_("The host %(host)r cannot be found.") % {"host": host}) from exc
    addresses = [str(info[4][0]) for info in found]
    for address in addresses:
        if not is_allowed(ipaddress.ip_address(address.split("%", 1)[0])):
            msg = _(
                "%(host)s resolves to %(address)s, an address of the inside network; importing "
                "from there is not allowed (WINIADMIN['SOURCE_ALLOWED_NETWORKS'])."
            ) % {"host": host, "address": address}
            raise SourceError(msg)
    return addresses[0]


def is_allowed(address: IPAddress) -> bool:
    """A public address, or one in ``SOURCE_ALLOWED_NETWORKS``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    networks = [ipaddress.ip_network(n, strict=False) for n in get_config().SOURCE_ALLOWED_NETWORKS]
    if any(address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast
