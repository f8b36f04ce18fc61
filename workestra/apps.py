from django.apps import AppConfig


class WorkestraConfig(AppConfig):
    name = "workestra"
    verbose_name = "Workspaces and users"
