from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cme.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from cme.accounts import signals

        signals.connect()
