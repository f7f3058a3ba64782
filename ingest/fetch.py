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
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import certifi
import httpcore

from ingest.guard import BlockedAddressError, Deadline, DeadlineExceededError, GuardedBackend

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}
# Characters left as they are when a URL is made ASCII: the reserved ones, and "%" so existing escapes survive.
URL_SAFE_CHARACTERS = "/:@!$&'()*+,;=?%~-._"
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
    url = request_url(url)
    deadline = Deadline(config.deadline_seconds)
    backend = GuardedBackend(deadline, config.allow_private_networks)
    try:
        with httpcore.ConnectionPool(ssl_context=_SSL_CONTEXT, network_backend=backend, max_connections=4) as pool:
            return _fetch(pool, url, config, request_headers(config, etag, last_modified))
    except BlockedAddressError as error:
        raise BlockedError(str(error)) from error
    except (DeadlineExceededError, httpcore.TimeoutException) as error:
        raise FetchTimeoutError(str(error) or "timed out") from error
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as error:
        raise NetworkError(str(error) or type(error).__name__) from error


def _fetch(pool: httpcore.ConnectionPool, url: str, config: FetchConfig, headers: list) -> FetchResult:
    response, final_url, permanent_url = send_following_redirects(pool, url, headers, config)
    try:
        if response.status == 304:
            return result_from(response, b"", final_url, permanent_url)
        raise_for_status(response)
        declared_length = header(response, b"content-length")
        if declared_length.isdigit() and int(declared_length) > config.max_body_bytes:
            raise ResponseTooLargeError(f"body of {declared_length} bytes exceeds {config.max_body_bytes}")
        body = read_decoded(response, config.max_body_bytes)
    finally:
        response.close()
    return result_from(response, body, final_url, permanent_url)


def request_headers(config: FetchConfig, etag: str, last_modified: str) -> list[tuple[str, str]]:
    headers = {"User-Agent": config.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    return list((headers | conditional_headers(etag, last_modified)).items())


def send_following_redirects(
    pool: httpcore.ConnectionPool, url: str, headers: list, config: FetchConfig
) -> tuple[httpcore.Response, str, str | None]:
    """Follow redirects by hand so each hop's scheme is checked and permanence is tracked.

    httpcore rather than httpx: a feed poll needs none of httpx's conveniences, and on a re-poll answered by 304
    they cost as much as the request itself.
    """
    timeouts = {"connect": config.connect_timeout_seconds, "read": config.deadline_seconds}
    timeouts |= {"write": config.deadline_seconds, "pool": config.deadline_seconds}
    current, is_all_permanent = url, True
    for _ in range(config.max_redirects + 1):
        response = pool.handle_request(
            httpcore.Request(
                "GET", current, headers=[("Host", urlsplit(current).netloc), *headers], extensions={"timeout": timeouts}
            )
        )
        location = header(response, b"location")
        if response.status not in REDIRECTS or not location:
            return response, current, (current if is_all_permanent and current != url else None)
        is_all_permanent = is_all_permanent and response.status in PERMANENT_REDIRECTS
        response.close()
        current = request_url(urljoin(current, location))
    raise TooManyRedirectsError(f"more than {config.max_redirects} redirects")


def header(response: httpcore.Response, name: bytes) -> str:
    """A response header's value as text ("" when absent); names compare case-insensitively."""
    for key, value in response.headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return ""


def raise_for_status(response: httpcore.Response) -> None:
    status = response.status
    if status < 400 and status != 204:
        return
    if status == 410:
        raise GoneError(status)
    if status in RETRY_AFTER_STATUSES:
        raise RateLimitedError(status, parse_retry_after(header(response, b"retry-after")))
    raise HTTPStatusError(status)


def read_decoded(response: httpcore.Response, max_bytes: int) -> bytes:
    """The decoded body, refused as soon as it passes max_bytes (so a gzip bomb never inflates)."""
    encoding = (header(response, b"content-encoding") or "identity").lower()
    raw_chunks = response.iter_stream()
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


def result_from(response: httpcore.Response, body: bytes, final_url: str, permanent_url: str | None) -> FetchResult:
    return FetchResult(
        status_code=response.status,
        content=body,
        final_url=final_url,
        permanent_url=permanent_url,
        etag=header(response, b"etag")[:500],
        last_modified=header(response, b"last-modified")[:100],
        content_type=header(response, b"content-type"),
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


def request_url(url: str) -> str:
    """The URL as it goes on the wire: absolute http(s), host in IDNA, path and query percent-encoded ASCII.

    Credentials in a feed URL are dropped: the netloc is rebuilt from host and port, and it is also the Host header.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as error:
        raise InvalidURLError(f"malformed URL {url[:200]}: {error}") from error
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidURLError(f"not an http(s) URL: {url[:200]}")
    netloc = f"[{host}]" if ":" in host else host
    netloc = f"{netloc}:{port}" if port is not None else netloc
    path = quote(parts.path or "/", safe=URL_SAFE_CHARACTERS)
    query = quote(parts.query, safe=URL_SAFE_CHARACTERS)
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
