import importlib
import pkgutil

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and outbox"

    def ready(self) -> None:
        from workflows import kinds, senders

        kinds.register(*kinds.WORKFLOW_KINDS)
        # Every channel sender (one module per action).
        for module in pkgutil.iter_modules(senders.__path__):
            importlib.import_module(f"{senders.__name__}.{module.name}")
