from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "cme.enquiries"
    label = "enquiries"
    verbose_name = "Enquiries between authorities"
