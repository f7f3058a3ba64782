"""The three roles, as groups: analysts read, curators also decide, admins also run the sources."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet

ANALYST, CURATOR, ADMIN = "analyst", "curator", "admin"

# (app_label, codename) pairs per role; each role also holds the ones of the roles before it.
ROLE_PERMISSIONS = {
    ANALYST: [
        ("ingest", "view_feed"),
        ("ingest", "view_article"),
        ("ingest", "view_articlesource"),
        ("tracker", "view_signaltype"),
        ("tracker", "view_tag"),
        ("tracker", "view_assessment"),
        ("tracker", "view_story"),
        ("tracker", "view_keyevent"),
    ],
    # Curators decide tags; rejecting is how a tag goes, so no delete permission.
    CURATOR: [("tracker", "add_tag"), ("tracker", "change_tag")],
    ADMIN: [
        ("ingest", "add_feed"),
        ("ingest", "change_feed"),
        ("ingest", "delete_feed"),
        ("ingest", "change_article"),
        ("ingest", "delete_article"),
        ("auth", "view_user"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_group"),
        ("tracker", "add_signaltype"),
        ("tracker", "change_signaltype"),
        ("tracker", "view_rule"),
        ("tracker", "add_rule"),
        ("tracker", "change_rule"),
        ("tracker", "delete_rule"),
        ("tracker", "add_keyevent"),
        ("tracker", "change_keyevent"),
        ("tracker", "delete_keyevent"),
    ],
}
ROLE_ORDER = [ANALYST, CURATOR, ADMIN]
# Every role holds it through its group, and a role admin cannot grant it any other way (tracker.admin): holding
# it is what having a role means to the dashboard. Superusers hold every permission.
READ_PERMISSION = "tracker.view_tag"


def holds_a_role(user) -> bool:
    return user.is_active and user.has_perm(READ_PERMISSION)


def role_required(view: Callable) -> Callable:
    """For every view of the data: anonymous visitors are sent to log in, a user without a role is refused (403)."""
    return login_required(permission_required(READ_PERMISSION, raise_exception=True)(view))


def permissions_for(role: str) -> list[tuple[str, str]]:
    included = ROLE_ORDER[: ROLE_ORDER.index(role) + 1]
    return [pair for name in included for pair in ROLE_PERMISSIONS[name]]


def role_groups() -> QuerySet[Group]:
    return Group.objects.filter(name__in=ROLE_ORDER)


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups and give each exactly its permissions; safe to run again."""
    groups = {}
    for role in ROLE_ORDER:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = permissions_for(role)
        permissions = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
        )
        group.permissions.add(*[p for p in permissions if (p.content_type.app_label, p.codename) in wanted])
        groups[role] = group
    return groups
