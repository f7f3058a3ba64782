"""Feeds and polls for the tests that run the real pipeline: a loopback RSS document, a poll that commits."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ingest.models import Feed
from ingest.refresh import refresh_feed


def rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 document with one item per (guid, headline, description)."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{escape(headline)}</title><link>https://wire.example/{guid}</link>"
        f"<pubDate>Mon, 03 Mar 2025 08:00:00 GMT</pubDate><description>{escape(body)}</description></item>"
        for guid, headline, body in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Loopback Wire</title>'
        f"<link>https://wire.example/</link><language>en</language>{entries}</channel></rss>"
    ).encode()


def poll(feed: Feed, capture) -> None:
    """Poll the feed now; ``capture`` (django_capture_on_commit_callbacks) runs what waits for the commit, as the
    announcement that queues tagging does, since the test's own transaction never commits."""
    with capture(execute=True):
        refresh_feed(feed.pk, force=True)


class QuietRSSHandler(BaseHTTPRequestHandler):
    """A loopback feed server's handler that answers with RSS bytes and logs nothing."""

    def send_rss(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """The handler served on a free loopback port, as its base URL, until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
