from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    add_sample_feeds,
    create_demo_users,
    create_key_events,
    poll_sample_feeds,
    serve_sample_feeds,
)

DEFAULT_PORT = 8079


class Command(BaseCommand):
    help = "Load the offline sample data: serve the sample feeds on 127.0.0.1, poll them, create demo users."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (creates known passwords).")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="Port for the local sample feed server.")

    def handle(self, *args, force: bool, port: int, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("The demo creates users with a known password: refused unless DEBUG is on or --force.")
        if not settings.INGEST_ALLOW_PRIVATE_NETWORKS:
            raise CommandError("The demo serves its feeds on 127.0.0.1: set INGEST_ALLOW_PRIVATE_NETWORKS=1.")
        with serve_sample_feeds(port) as base_url:
            feeds = add_sample_feeds(base_url)
            self.stdout.write(f"Polling {len(feeds)} sample feeds served at {base_url} ...")
            for feed, result in zip(feeds, poll_sample_feeds(feeds), strict=True):
                self.stdout.write(f"  {feed}: {describe(result)}")
        created = create_demo_users()
        create_key_events()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Logins (password '{DEMO_PASSWORD}'): " + ", ".join(name for name, _ in DEMO_USERS))
        if created:
            self.stdout.write(f"Created users: {', '.join(created)}")


def describe(result) -> str:
    if result is None:
        return "skipped (being polled elsewhere)"
    if result.error:
        return f"{result.outcome}: {result.error}"
    return f"{result.outcome}, {len(result.new_ids)} new, {len(result.updated_ids)} updated"
