"""A real HTTP server on a loopback address, for tests of feed fetching.

A test registers routes (a feed, a redirect, a slow drip, a gzip bomb...) and
points the client at the URLs they return. The server records every request,
so a test can assert what the client sent and that it sent nothing at all.

It answers in HTTP/1.0 style, one request per connection, so a body may end
where the connection ends and every redirect hop is a fresh connection.
"""

import email.utils
import itertools
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache, partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

CHUNK_BYTES = 64 * 1024
GZIP_BOMB_INFLATED_BYTES = 1024**3
DRIP_INTERVAL_SECONDS = 0.1
# A drip gives up after this long, so a client without a deadline fails its test instead of hanging it.
DRIP_GIVE_UP_SECONDS = 10
SHUTDOWN_POLL_SECONDS = 0.01
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

Responder = Callable[[BaseHTTPRequestHandler, threading.Event], None]


class FeedServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.stopping = threading.Event()
        self._routes: dict[str, Responder] = {}
        self._requests: dict[str, list[dict[str, str]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), FeedRequestHandler)
        self._httpd.daemon_threads = True
        self._httpd.feed_server = self
        self.port = self._httpd.server_address[1]
        # A short poll interval, so stopping the server after each test costs milliseconds, not half a second.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        # Release the hanging and dripping handlers, so that no thread outlives its test.
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    # --- Routes: each returns the URL it serves.

    def route(
        self,
        path: str,
        body: bytes = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str = "",
        last_modified: str = "",
    ) -> str:
        """A fixed answer; with etag or last_modified it answers 304 to a matching conditional GET."""
        if etag or last_modified:
            return self._add(
                path,
                partial(send_conditional, body=body, headers=headers or {}, etag=etag, last_modified=last_modified),
            )
        return self._add(path, partial(send_fixed, status=status, body=body, headers=headers or {}))

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Redirect to another path on this server, or to any absolute URL."""
        assert status in REDIRECT_STATUSES, f"{status} is not a redirect status"
        location = self.url(to) if to.startswith("/") else to
        return self._add(path, partial(send_fixed, status=status, body=b"", headers={"Location": location}))

    def redirect_chain(self, statuses: Iterable[int], to: str, prefix: str = "/hop") -> str:
        """One redirect per status, in order, ending at `to`; returns the first URL."""
        statuses = list(statuses)
        targets = [f"{prefix}{index}" for index in range(1, len(statuses))] + [to]
        for index, (status, target) in enumerate(zip(statuses, targets, strict=True)):
            self.redirect(f"{prefix}{index}", target, status)
        return self.url(f"{prefix}0")

    def drip_body(self, path: str, interval_seconds: float = DRIP_INTERVAL_SECONDS) -> str:
        """Headers at once, then one byte of body per interval, for DRIP_GIVE_UP_SECONDS."""
        return self._add(path, partial(send_dripping_body, interval_seconds=interval_seconds))

    def drip_headers(self, path: str, interval_seconds: float = DRIP_INTERVAL_SECONDS) -> str:
        """The status line and headers one byte per interval, never finished, for DRIP_GIVE_UP_SECONDS."""
        return self._add(path, partial(send_dripping_headers, interval_seconds=interval_seconds))

    def stream_zeros(self, path: str, size_bytes: int, is_length_declared: bool) -> str:
        """A body of size_bytes, written in chunks and never held in memory whole."""
        return self._add(path, partial(send_zeros, size_bytes=size_bytes, is_length_declared=is_length_declared))

    def gzip_bomb(self, path: str) -> str:
        """About a megabyte of gzip that inflates to a gigabyte of zeros."""
        bomb = gzip_bomb_bytes()
        headers = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
        return self._add(path, partial(send_fixed, status=200, body=bomb, headers=headers))

    def hang(self, path: str) -> str:
        """Read the request, then never answer."""
        return self._add(path, send_nothing)

    # --- What the clients did.

    def hits(self, path: str) -> int:
        with self._lock:
            return len(self._requests[path])

    @property
    def total_hits(self) -> int:
        with self._lock:
            return sum(len(requests) for requests in self._requests.values())

    def requests(self, path: str) -> list[dict[str, str]]:
        """The headers of every request to path, names lower-cased."""
        with self._lock:
            return list(self._requests[path])

    def _add(self, path: str, responder: Responder) -> str:
        self._routes[path] = responder
        return self.url(path)

    def record_request(self, path: str, headers: dict[str, str]) -> Responder:
        """Count the request and pick its responder; an unknown path is a 404."""
        with self._lock:
            self._requests[path].append(headers)
        return self._routes.get(path, partial(send_fixed, status=404, body=b"not found", headers={}))


class FeedRequestHandler(BaseHTTPRequestHandler):
    server_version = "FeedServer/1.0"

    def do_GET(self) -> None:
        feed_server: FeedServer = self.server.feed_server
        headers = {name.lower(): value for name, value in self.headers.items()}
        responder = feed_server.record_request(urlsplit(self.path).path, headers)
        try:
            responder(self, feed_server.stopping)
        except (BrokenPipeError, ConnectionResetError):
            pass  # The client hung up: for the misbehaving routes that is the expected end.

    def log_message(self, format: str, *args) -> None:
        pass


def send_fixed(
    handler: BaseHTTPRequestHandler, stopping: threading.Event, status: int, body: bytes, headers: dict[str, str]
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if status not in (204, 304):
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if status not in (204, 304):
        handler.wfile.write(body)


def send_conditional(
    handler: BaseHTTPRequestHandler,
    stopping: threading.Event,
    body: bytes,
    headers: dict[str, str],
    etag: str,
    last_modified: str,
) -> None:
    if is_fresh(handler.headers, etag, last_modified):
        # Like many real servers, the 304 repeats no validators: the client must keep its own.
        send_fixed(handler, stopping, 304, b"", {})
        return
    validators = {"ETag": etag} if etag else {}
    if last_modified:
        validators["Last-Modified"] = last_modified
    send_fixed(handler, stopping, 200, body, headers | validators)


def is_fresh(request_headers, etag: str, last_modified: str) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        candidates = [tag.strip() for tag in if_none_match.split(",")]
        return bool(etag) and ("*" in candidates or etag in candidates)
    if_modified_since = request_headers.get("If-Modified-Since")
    if not (if_modified_since and last_modified):
        return False
    try:
        return email.utils.parsedate_to_datetime(if_modified_since) >= email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False


def send_dripping_body(handler: BaseHTTPRequestHandler, stopping: threading.Event, interval_seconds: float) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    handler.wfile.write(b"<")
    for _ in range(drip_count(interval_seconds)):
        if stopping.wait(interval_seconds):
            return
        handler.wfile.write(b" ")


def send_dripping_headers(handler: BaseHTTPRequestHandler, stopping: threading.Event, interval_seconds: float) -> None:
    head = b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\nX-Padding: "
    padded = itertools.chain(head, itertools.repeat(ord("a")))
    for byte in itertools.islice(padded, drip_count(interval_seconds)):
        handler.wfile.write(bytes([byte]))
        if stopping.wait(interval_seconds):
            return


def drip_count(interval_seconds: float) -> int:
    return int(DRIP_GIVE_UP_SECONDS / interval_seconds)


def send_zeros(
    handler: BaseHTTPRequestHandler, stopping: threading.Event, size_bytes: int, is_length_declared: bool
) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    if is_length_declared:
        handler.send_header("Content-Length", str(size_bytes))
    handler.end_headers()
    chunk = bytes(CHUNK_BYTES)
    for start in range(0, size_bytes, CHUNK_BYTES):
        if stopping.is_set():
            return
        handler.wfile.write(chunk[: size_bytes - start])


def send_nothing(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
    stopping.wait()


@cache
def gzip_bomb_bytes() -> bytes:
    """Zeros compressed a megabyte at a time, so building the bomb never holds the gigabyte."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(GZIP_BOMB_INFLATED_BYTES // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


def http_date(seconds_from_now: float) -> str:
    """An IMF-fixdate (RFC 9110 5.6.7), as in Retry-After or Last-Modified."""
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@contextmanager
def running_feed_server(host: str = "127.0.0.1") -> Iterator[FeedServer]:
    server = FeedServer(host)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Named apart from its function, so a test module can import it without its arguments shadowing the import.
@pytest.fixture(name="feed_server")
def feed_server_fixture() -> Iterator[FeedServer]:
    with running_feed_server() as server:
        yield server
