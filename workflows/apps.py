from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and outbox"

    def ready(self) -> None:
        from workflows import accounts, kinds, senders

        kinds.register(*kinds.WORKFLOW_KINDS, accounts.ACCOUNT_EMAIL)
        senders.register(senders.DECLARED)
