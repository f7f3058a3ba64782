from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_role_groups(sender, **kwargs) -> None:
    from tracker.roles import ensure_role_groups

    ensure_role_groups()


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Signals tracker"

    def ready(self) -> None:
        # Permissions exist only after every app migrated, hence post_migrate rather than a migration.
        post_migrate.connect(create_role_groups, sender=self)
        from tracker import receivers  # noqa: F401  connects the articles_stored receiver
