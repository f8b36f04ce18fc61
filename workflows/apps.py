from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows and outbox"

    def ready(self) -> None:
        from workestra import hooks
        from workflows import accounts, kinds, member_emails, senders

        kinds.register(*kinds.WORKFLOW_KINDS, accounts.ACCOUNT_EMAIL)
        senders.register(senders.DECLARED)
        hooks.provide_invitation_mailer(member_emails.enqueue_invitation)
