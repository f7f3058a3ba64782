"""The rows the migrations load (signal types, the tagger's rules), for tests that commit.

A transactional test ends by emptying every table. The groups come back by themselves (post_migrate); the signal
types and the rules do not, and a real worker tags with them. Django's serialized rollback would restore them, but
it also restores the groups post_migrate has already brought back, and then skips post_migrate for the tests after.
"""

import importlib

from django.apps import apps as django_apps

SIGNAL_TYPES_MIGRATION = "tracker.migrations.0002_default_signal_types"
RULES_MIGRATION = "tracker.migrations.0003_default_rules"


def run_data_migration(module_name: str) -> None:
    """Run a data migration's forward step again, on today's models: it is written to be safe to repeat."""
    (operation,) = importlib.import_module(module_name).Migration.operations
    operation.code(django_apps, None)


def restore_migration_rows() -> None:
    run_data_migration(SIGNAL_TYPES_MIGRATION)
    run_data_migration(RULES_MIGRATION)
