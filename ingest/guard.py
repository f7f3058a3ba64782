"""A network backend for httpcore that vets every address it dials and enforces a deadline.

The address check happens in the dialer, after DNS resolution and on every
connection (so on every redirect hop too): a name that resolves to a loopback
or private address cannot be reached by swapping DNS answers between the check
and the connect. The same wrapper cuts off servers that drip bytes slowly: every
socket read and write is bounded by what is left of the fetch's total deadline.
"""

import ipaddress
import socket
import time
from collections.abc import Iterable

import httpcore


class BlockedAddressError(httpcore.ConnectError):
    """The host resolves to an address outside the public internet."""


class DeadlineExceededError(httpcore.TimeoutException):
    """The whole fetch took longer than its deadline."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.expires_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.expires_at - time.monotonic()

    def bound(self, timeout: float | None) -> float:
        """The socket timeout to use now: the caller's, cut to the time left."""
        remaining = self.remaining()
        if remaining <= 0:
            raise DeadlineExceededError("fetch deadline exceeded")
        return remaining if timeout is None else min(timeout, remaining)


# IPv6 prefixes whose addresses stand for the IPv4 address in their last 32 bits: the kernel (mapped,
# compatible), a stateless translator (SIIT) or a NAT64 gateway delivers the connection to that IPv4 host,
# so "::ffff:10.0.0.1" or "64:ff9b::7f00:1" must be judged as 10.0.0.1 and 127.0.0.1.
IPV4_STAND_IN_NETWORKS = [
    ipaddress.IPv6Network("::ffff:0:0/96"),  # IPv4-mapped (RFC 4291)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible, deprecated (RFC 4291)
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (RFC 2765)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64 well-known prefix (RFC 6052)
]
# The local-use NAT64 prefix lets each network choose where the IPv4 address sits (RFC 8215), so none of it is
# public; Python's ipaddress does not know it.
LOCAL_NAT64_NETWORK = ipaddress.IPv6Network("64:ff9b:1::/48")
LAST_32_BITS = 0xFFFFFFFF


def is_public_address(address: str) -> bool:
    """Whether a fetch may dial this address: public unicast, and so is any IPv4 address it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return is_public_ip(ip)
    stand_in = ipv4_stood_in_for(ip)
    if stand_in is not None:
        return is_public_ip(stand_in)
    if ip in LOCAL_NAT64_NETWORK:
        return False
    return all(is_public_ip(end) for end in tunnel_ipv4_ends(ip)) and is_public_ip(ip)


def is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def ipv4_stood_in_for(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(ip in network for network in IPV4_STAND_IN_NETWORKS):
        return ipaddress.IPv4Address(int(ip) & LAST_32_BITS)
    return None


def tunnel_ipv4_ends(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 hosts a 6to4 or Teredo address sends traffic through: a private one would reach inside."""
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the server, and the client with its obfuscation undone
    return []


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:  # an empty or overlong label fails IDNA encoding
        raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
    return list(dict.fromkeys(info[4][0] for info in infos))


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        tls_stream = self._stream.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return DeadlineStream(tls_stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    def __init__(self, deadline: Deadline, allow_private_networks: bool) -> None:
        self._deadline = deadline
        self._allow_private_networks = allow_private_networks

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        if not self._allow_private_networks:
            blocked = [address for address in addresses if not is_public_address(address)]
            if blocked:
                raise BlockedAddressError(f"{host} resolves to a non-public address ({blocked[0]})")
        last_error: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address, port, self._deadline.bound(timeout), local_address, socket_options
                )
            except httpcore.ConnectError as error:
                last_error = error
                continue
            return DeadlineStream(stream, self._deadline)
        raise last_error or httpcore.ConnectError(f"no address for {host}")
