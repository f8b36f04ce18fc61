import importlib
import pkgutil

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and outbox"

    def ready(self) -> None:
        # Registers the step handler and every channel sender (one module per action).
        from workflows import handlers, senders  # noqa: F401

        for module in pkgutil.iter_modules(senders.__path__):
            importlib.import_module(f"{senders.__name__}.{module.name}")
