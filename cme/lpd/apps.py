from django.apps import AppConfig


class LpdConfig(AppConfig):
    name = "cme.lpd"
    label = "lpd"
    verbose_name = "Lost Pupil Database"
