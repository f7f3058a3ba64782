"""HTTP for feeds: conditional GET, redirects checked hop by hop, a deadline and a size cap.

Returns a FetchResult or raises a FetchError subclass; it knows nothing of the
database. Feedparser never fetches anything itself: it only parses these bytes.
"""

import email.utils
import ssl
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx

from ingest.guard import BlockedAddressError, Deadline, DeadlineExceededError, GuardedBackend

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PERMANENT_REDIRECTS = {301, 308}
RETRY_AFTER_STATUSES = {429, 503}
_SSL_CONTEXT = ssl.create_default_context(cafile=certifi.where())


@dataclass(frozen=True)
class FetchConfig:
    deadline_seconds: float = 30
    connect_timeout_seconds: float = 10
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    allow_private_networks: bool = False
    user_agent: str = "RU-DPRK-Signals-Tracker/1.0"


@dataclass(frozen=True)
class FetchResult:
    status_code: int
    content: bytes
    final_url: str
    permanent_url: str | None
    etag: str
    last_modified: str
    content_type: str

    @property
    def is_not_modified(self) -> bool:
        return self.status_code == 304


class FetchError(Exception):
    status_code: int | None = None


class InvalidURLError(FetchError):
    """Only absolute http and https URLs are fetched."""


class BlockedError(FetchError):
    """The URL leads to a loopback, private or otherwise non-public address."""


class FetchTimeoutError(FetchError):
    pass


class NetworkError(FetchError):
    pass


class ResponseTooLargeError(FetchError):
    pass


class TooManyRedirectsError(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, status_code: int, retry_after_seconds: float | None = None) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.retry_after_seconds = retry_after_seconds


class GoneError(HTTPStatusError):
    """410: the publisher says the feed is gone for good."""


class RateLimitedError(HTTPStatusError):
    """429 or 503, possibly with a Retry-After the poller must respect."""


def fetch_feed(url: str, config: FetchConfig, etag: str = "", last_modified: str = "") -> FetchResult:
    """GET a feed, following at most config.max_redirects redirects, within config.deadline_seconds."""
    require_http_url(url)
    deadline = Deadline(config.deadline_seconds)
    try:
        with build_client(config, deadline) as client:
            return _fetch(client, url, config, deadline, conditional_headers(etag, last_modified))
    except BlockedAddressError as error:
        raise BlockedError(str(error)) from error
    except httpx.InvalidURL as error:
        raise InvalidURLError(str(error)) from error
    except (DeadlineExceededError, httpx.TimeoutException, httpcore.TimeoutException) as error:
        raise FetchTimeoutError(str(error) or "timed out") from error
    except (httpx.TransportError, httpcore.NetworkError, httpcore.ProtocolError, httpx.DecodingError) as error:
        raise NetworkError(str(error) or type(error).__name__) from error


def _fetch(client: httpx.Client, url: str, config: FetchConfig, deadline: Deadline, headers: dict) -> FetchResult:
    response, permanent_url = send_following_redirects(client, url, headers, config.max_redirects)
    try:
        if response.status_code == 304:
            return result_from(response, b"", permanent_url)
        raise_for_status(response)
        declared_length = response.headers.get("content-length", "")
        if declared_length.isdigit() and int(declared_length) > config.max_body_bytes:
            raise ResponseTooLargeError(f"body of {declared_length} bytes exceeds {config.max_body_bytes}")
        body = read_decoded(response, config.max_body_bytes)
    finally:
        response.close()
    return result_from(response, body, permanent_url)


def build_client(config: FetchConfig, deadline: Deadline) -> httpx.Client:
    backend = GuardedBackend(deadline, config.allow_private_networks)
    timeout = httpx.Timeout(config.deadline_seconds, connect=config.connect_timeout_seconds)
    return httpx.Client(
        transport=GuardedTransport(backend),
        timeout=timeout,
        headers={"User-Agent": config.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=False,
    )


def send_following_redirects(
    client: httpx.Client, url: str, headers: dict, max_redirects: int
) -> tuple[httpx.Response, str | None]:
    """Follow redirects by hand so each hop's scheme is checked and permanence is tracked."""
    request = client.build_request("GET", url, headers=headers)
    is_all_permanent = True
    for _ in range(max_redirects + 1):
        response = client.send(request, stream=True)
        if response.next_request is None:
            moved_to = str(request.url) if is_all_permanent and str(request.url) != url else None
            return response, moved_to
        is_all_permanent = is_all_permanent and response.status_code in PERMANENT_REDIRECTS
        response.close()
        request = response.next_request
        require_http_url(str(request.url))
    raise TooManyRedirectsError(f"more than {max_redirects} redirects")


def raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400 and status != 204:
        return
    if status == 410:
        raise GoneError(status)
    if status in RETRY_AFTER_STATUSES:
        raise RateLimitedError(status, parse_retry_after(response.headers.get("retry-after", "")))
    raise HTTPStatusError(status)


def read_decoded(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, refused as soon as it passes max_bytes (so a gzip bomb never inflates)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    raw_chunks = response.iter_raw()
    if encoding in ("", "identity"):
        return collect_capped(raw_chunks, max_bytes)
    if encoding in ("gzip", "x-gzip", "deflate"):
        return inflate_capped(raw_chunks, max_bytes, is_deflate=encoding == "deflate")
    raise NetworkError(f"unsupported content encoding {encoding!r}")


def collect_capped(chunks: Iterator[bytes], max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLargeError(f"body exceeds {max_bytes} bytes")
    return bytes(body)


def inflate_capped(chunks: Iterator[bytes], max_bytes: int, is_deflate: bool) -> bytes:
    # wbits 47 reads gzip or zlib headers; "deflate" is sometimes sent raw, without a header.
    decompressor = zlib.decompressobj(47)
    body = bytearray()
    is_first = True
    for chunk in chunks:
        pending = chunk
        while pending:
            try:
                body += decompressor.decompress(pending, max_bytes + 1 - len(body))
            except zlib.error as error:
                if not (is_first and is_deflate):
                    raise NetworkError(f"corrupt compressed body: {error}") from error
                decompressor = zlib.decompressobj(-15)
                continue
            is_first = False
            if len(body) > max_bytes:
                raise ResponseTooLargeError(f"decompressed body exceeds {max_bytes} bytes")
            pending = decompressor.unconsumed_tail
        if decompressor.eof:
            break
    return bytes(body)


def result_from(response: httpx.Response, body: bytes, permanent_url: str | None) -> FetchResult:
    return FetchResult(
        status_code=response.status_code,
        content=body,
        final_url=str(response.url),
        permanent_url=permanent_url,
        etag=response.headers.get("etag", "")[:500],
        last_modified=response.headers.get("last-modified", "")[:100],
        content_type=response.headers.get("content-type", ""),
    )


def conditional_headers(etag: str, last_modified: str) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait, from a Retry-After of delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def require_http_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise InvalidURLError(f"malformed URL {url[:200]}: {error}") from error
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidURLError(f"not an http(s) URL: {url[:200]}")


class GuardedTransport(httpx.BaseTransport):
    """httpx transport over an httpcore pool whose dialer is the GuardedBackend."""

    def __init__(self, backend: GuardedBackend) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=_SSL_CONTEXT, network_backend=backend, max_connections=4)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        core_response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=CoreResponseStream(core_response),
            extensions=core_response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class CoreResponseStream(httpx.SyncByteStream):
    def __init__(self, core_response: httpcore.Response) -> None:
        self._core_response = core_response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._core_response.iter_stream()

    def close(self) -> None:
        self._core_response.close()
