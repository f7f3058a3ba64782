from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Installed only where the package exists, so that its management commands are found in development."""

    name = "devtools"
    verbose_name = "Development tools"
