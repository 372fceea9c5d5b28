from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cme.api"
    label = "api"
    verbose_name = "HTTP API for schools and partner agencies"
