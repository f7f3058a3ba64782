"""Users in the admin: an admin who is not a superuser manages the three roles and nothing above them."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from tests.dashboard_helpers import PASSWORD, make_user
from tracker.roles import ADMIN, ANALYST, CURATOR

pytestmark = pytest.mark.django_db

ROOT_PASSWORD = "the-superusers-own-password-77"
NEW_PASSWORD = "taken-over-password-9931"


@pytest.fixture
def role_admin() -> User:
    return make_user(ADMIN, "role-admin")


@pytest.fixture
def admin_client(role_admin) -> Client:
    client = Client()
    client.force_login(role_admin)
    return client


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser("root", password=ROOT_PASSWORD)


def change_url(user: User) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def change_form_data(user: User, *, groups: list[Group], **extra) -> dict:
    """What the admin's change form posts for this user as he is, with the groups and extra fields given."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": [group.pk for group in groups],
    }
    data.update({name: "on" for name in ("is_active", "is_staff") if getattr(user, name)})
    return {**data, **extra}


def password_form_data() -> dict:
    return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}


def role(name: str) -> Group:
    return Group.objects.get(name=name)


# --- The attempts an admin who is not a superuser makes, each refused ------------------------------------------


def test_a_role_admin_cannot_make_himself_a_superuser(admin_client, role_admin):
    data = change_form_data(role_admin, groups=[role(ADMIN)], is_superuser="on")
    admin_client.post(change_url(role_admin), data)
    role_admin.refresh_from_db()
    assert not role_admin.is_superuser


def test_a_role_admin_cannot_make_another_user_a_superuser(admin_client):
    analyst = make_user(ANALYST, "plain-analyst")
    response = admin_client.post(
        change_url(analyst), change_form_data(analyst, groups=[role(ANALYST)], is_superuser="on")
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_superuser


def test_a_role_admin_cannot_set_a_superusers_password(admin_client, root):
    response = admin_client.post(password_url(root), password_form_data())
    assert response.status_code == 404
    root.refresh_from_db()
    assert root.check_password(ROOT_PASSWORD)


def test_a_role_admin_can_neither_see_nor_edit_a_superuser(admin_client, root):
    assert "root" not in admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert admin_client.get(change_url(root)).status_code == 302  # "does not exist", back to the admin index
    admin_client.post(change_url(root), change_form_data(root, groups=[], is_active=""))
    root.refresh_from_db()
    assert root.is_active and root.username == "root"


def test_a_role_admin_cannot_grant_raw_permissions(admin_client, role_admin):
    delete_users = Permission.objects.get(content_type__app_label="auth", codename="delete_user")
    data = change_form_data(role_admin, groups=[role(ADMIN)], user_permissions=[delete_users.pk])
    admin_client.post(change_url(role_admin), data)
    assert not role_admin.user_permissions.exists()
    assert not User.objects.get(pk=role_admin.pk).has_perm("auth.delete_user")


def test_a_role_admin_cannot_put_anyone_in_a_group_other_than_the_roles(admin_client, role_admin):
    operators = Group.objects.create(name="operators")
    operators.permissions.add(Permission.objects.get(content_type__app_label="auth", codename="delete_user"))
    response = admin_client.post(change_url(role_admin), change_form_data(role_admin, groups=[role(ADMIN), operators]))
    assert response.status_code == 200 and response.context["errors"]
    assert not role_admin.groups.filter(name="operators").exists()


def test_a_role_admin_does_not_see_the_superuser_and_permission_fields(admin_client, role_admin):
    form = admin_client.get(change_url(make_user(ANALYST, "someone"))).context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {ANALYST, CURATOR, ADMIN}


# --- What a role admin still does --------------------------------------------------------------------------------


def test_a_role_admin_gives_and_takes_the_three_roles(admin_client):
    user = make_user(ANALYST, "promoted")
    response = admin_client.post(change_url(user), change_form_data(user, groups=[role(CURATOR)], is_staff="on"))
    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == [CURATOR]


def test_a_role_admin_sets_the_password_of_a_user_who_is_not_a_superuser(admin_client):
    user = make_user(CURATOR, "forgetful")
    assert admin_client.post(password_url(user), password_form_data()).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)


def test_a_role_admin_keeps_the_groups_a_superuser_gave_outside_the_roles(admin_client):
    user = make_user(ANALYST, "on-call")
    user.groups.add(Group.objects.create(name="on-call"))
    admin_client.post(change_url(user), change_form_data(user, groups=[role(CURATOR)], is_staff="on"))
    assert set(user.groups.values_list("name", flat=True)) == {CURATOR, "on-call"}


def test_a_superuser_still_grants_superuser_status_and_raw_permissions(root):
    client = Client()
    client.force_login(root)
    user = make_user(ANALYST, "deputy")
    delete_users = Permission.objects.get(content_type__app_label="auth", codename="delete_user")
    data = change_form_data(user, groups=[role(ANALYST)], is_superuser="on", user_permissions=[delete_users.pk])
    assert client.post(change_url(user), data).status_code == 302
    user.refresh_from_db()
    assert user.is_superuser and user.user_permissions.filter(pk=delete_users.pk).exists()
