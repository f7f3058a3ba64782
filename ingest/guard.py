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


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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
