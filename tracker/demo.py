"""The offline demo: sample feeds served on 127.0.0.1 and polled through the real pipeline."""

import contextlib
import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from ingest.models import Feed
from ingest.refresh import RefreshResult, refresh_feed
from tracker.models import KeyEvent, SignalType
from tracker.roles import ADMIN, ANALYST, CURATOR, ensure_role_groups

SAMPLE_FEEDS_DIR = Path(__file__).resolve().parent.parent / "ingest" / "sample_feeds"
DEMO_PASSWORD = "demo"
DEMO_USERS = [(ANALYST, ANALYST), (CURATOR, CURATOR), (ADMIN, ADMIN)]


@dataclass(frozen=True)
class SampleFeed:
    file: str
    title: str
    site_url: str
    language: str
    source_kind: str
    country: str


def sample_feeds() -> list[SampleFeed]:
    manifest = json.loads((SAMPLE_FEEDS_DIR / "feeds.json").read_text(encoding="utf-8"))
    return [SampleFeed(**item) for item in manifest]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextlib.contextmanager
def serve_sample_feeds(port: int) -> Iterator[str]:
    """Serve the sample feed files on 127.0.0.1:port for the duration of the block; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(SAMPLE_FEEDS_DIR))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def add_sample_feeds(base_url: str) -> list[Feed]:
    feeds = []
    for sample in sample_feeds():
        feed, _ = Feed.objects.get_or_create(
            url=f"{base_url}/{sample.file}",
            defaults={
                "title": sample.title,
                "site_url": sample.site_url,
                "language": sample.language,
                "source_kind": sample.source_kind,
                "country": sample.country,
            },
        )
        feeds.append(feed)
    return feeds


def poll_sample_feeds(feeds: list[Feed]) -> list[RefreshResult | None]:
    return [refresh_feed(feed.pk, force=True) for feed in feeds]


@transaction.atomic
def create_demo_users() -> list[str]:
    """Create the demo logins once; an existing user keeps its password and roles."""
    groups = ensure_role_groups()
    created = []
    for username, role in DEMO_USERS:
        user, is_new = get_user_model().objects.get_or_create(username=username)
        if not is_new:
            continue
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role in (CURATOR, ADMIN)
        user.is_superuser = role == ADMIN
        user.save()
        user.groups.add(groups[role])
        created.append(username)
    return created


# Milestones of the public record, drawn on the demo's timelines; admins add their own in the admin.
DEMO_KEY_EVENTS = [
    (date(2023, 7, 27), "Russian defence minister at Pyongyang parade", "visit"),
    (date(2023, 9, 13), "Summit at Vostochny Cosmodrome", "visit"),
    (date(2024, 6, 19), "Strategic partnership treaty signed", "visit"),
    (date(2024, 10, 18), "Troop deployment to Russia reported", "arms_deal"),
    (date(2024, 12, 4), "Treaty enters into force", None),
    (date(2025, 4, 28), "Pyongyang confirms troops in Kursk", "arms_deal"),
]


def create_key_events() -> int:
    """Add the demo milestones once; returns how many were new."""
    signals = SignalType.objects.in_bulk(field_name="slug")
    created = 0
    for day, label, slug in DEMO_KEY_EVENTS:
        _, is_new = KeyEvent.objects.get_or_create(date=day, label=label, defaults={"signal": signals.get(slug)})
        created += is_new
    return created
