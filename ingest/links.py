"""URL hygiene: only http(s) links survive, and one story has one canonical URL."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingest.sanitize import strip_unstorable

# Query parameters that only say where a click came from, never what the page is.
TRACKING_PREFIX = "utm_"
TRACKING_PARAMETERS = {"fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "_ga", "ocid", "cmpid"}
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000


def safe_http_url(value: str) -> str:
    """The URL if it is an absolute http(s) URL of sane length, else an empty string."""
    value = strip_unstorable(str(value or "")).strip()
    if not value or len(value) > MAX_URL_LENGTH or any(c.isspace() for c in value):
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return ""
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return ""
    return value


def canonicalize_url(url: str) -> str | None:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    url = safe_http_url(url)
    if not url:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def is_tracking(parameter: str) -> bool:
    name = parameter.lower()
    return name.startswith(TRACKING_PREFIX) or name in TRACKING_PARAMETERS
