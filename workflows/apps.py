from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and outbox"

    def ready(self) -> None:
        from workflows import kinds, senders

        kinds.register(*kinds.WORKFLOW_KINDS)
        senders.register(senders.DECLARED)
