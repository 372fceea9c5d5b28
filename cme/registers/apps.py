from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "cme.registers"
    label = "registers"
    verbose_name = "Registers"
