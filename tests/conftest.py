"""Shared fixtures. Tests run against the real PostgreSQL and Redis named in the environment."""

from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture
def migration_rows(transactional_db) -> None:
    """For a test that commits: the signal types and rules the migrations loaded, whatever an earlier such test
    emptied."""
    from tests.migration_rows import restore_migration_rows

    restore_migration_rows()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"the shared corpus is absent: expected it at {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture
def analyst(client):
    """An analyst, logged in on the test client."""
    # Imported here: this module loads before Django is set up, and these import models.
    from tests.dashboard_helpers import make_user
    from tracker.roles import ANALYST

    user = make_user(ANALYST)
    client.force_login(user)
    return user
