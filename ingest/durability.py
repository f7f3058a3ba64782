"""Transactions whose loss in a crash costs nothing but a re-fetch.

Everything ingest writes can be rebuilt by polling again: a feed's poll state,
its claim, even its new articles (the next poll stores them). So these
transactions skip waiting for the WAL flush (PostgreSQL's synchronous_commit
off). Commits stay ordered and consistent; a crash can lose only the last
fraction of a second of them, never corrupt anything. Curators' decisions and
everything else keep full durability.
"""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def refetchable_writes() -> Iterator[None]:
    """A transaction that commits without waiting for its WAL record to reach the disk."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
