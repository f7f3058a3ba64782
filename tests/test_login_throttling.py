"""Login throttling: after the allowed wrong passwords, even the right one is refused for a while."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.dashboard_helpers import PASSWORD, make_user
from tests.test_deployment import settings_values
from tracker.roles import ANALYST

pytestmark = pytest.mark.django_db

ATTACKER_ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.20"


@pytest.fixture
def user():
    return make_user(ANALYST, "target")


def log_in(client: Client, username: str, password: str, address: str = ATTACKER_ADDRESS):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked_out(client: Client, username: str) -> None:
    """The allowed number of wrong passwords: the last of them already brings the lockout page."""
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, username, f"wrong-password-{attempt}")
        assert response.status_code == 200 and "didn't match" in response.content.decode(), attempt
    assert log_in(client, username, "wrong-password-last").status_code == 429


def is_logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_the_login_after_the_allowed_failures_is_refused_even_with_the_right_password(user):
    client = Client()
    fail_until_locked_out(client, user.username)

    response = log_in(client, user.username, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert f"After {settings.AXES_FAILURE_LIMIT} wrong passwords" in page
    assert f"for {int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} minutes" in page
    assert not is_logged_in(client)


def test_the_lockout_covers_the_admin_login_too(user):
    client = Client()
    fail_until_locked_out(client, user.username)
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=ATTACKER_ADDRESS
    )
    assert response.status_code == 429 and not is_logged_in(client)


def test_a_lockout_leaves_the_user_free_to_log_in_from_another_address(user):
    fail_until_locked_out(Client(), user.username)
    elsewhere = Client()
    assert log_in(elsewhere, user.username, PASSWORD, address=OTHER_ADDRESS).status_code == 302
    assert is_logged_in(elsewhere)


def test_the_right_password_works_again_once_the_cool_off_is_over(user):
    client = Client()
    fail_until_locked_out(client, user.username)
    long_ago = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=long_ago)

    assert log_in(client, user.username, PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_starts_the_count_again(user):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, user.username, f"wrong-password-{attempt}")
    assert log_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    fail_until_locked_out(client, user.username)


def test_a_forced_login_is_not_throttled(user):
    client = Client()
    fail_until_locked_out(Client(REMOTE_ADDR=ATTACKER_ADDRESS), user.username)
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200


def test_the_limit_and_the_cool_off_come_from_the_environment():
    values = settings_values(
        ["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME"], DEBUG="1", LOGIN_FAILURE_LIMIT="3", LOGIN_COOLOFF_MINUTES="40"
    )
    assert values == {"AXES_FAILURE_LIMIT": "3", "AXES_COOLOFF_TIME": repr(timedelta(minutes=40))}
