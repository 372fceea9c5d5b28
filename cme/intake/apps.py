from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "cme.intake"
    label = "intake"
    verbose_name = "Referrals"
