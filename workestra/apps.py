from django.apps import AppConfig


class WorkestraConfig(AppConfig):
    name = "workestra"
    verbose_name = "Workspaces and users"

    def ready(self) -> None:
        from workestra.sso import signals  # noqa: F401  (connects the SSO login receiver)
