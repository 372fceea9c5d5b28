"""Needs, brokering, monitoring and support pages of a case, and providers' register audits.
Ids only in these addresses."""

from django.urls import URLPattern, path

from cme.provision import views

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/needs/", views.needs_edit, name="provision_needs"),
    path("cases/<int:pk>/brokering/add/", views.attempt_add, name="provision_attempt_add"),
    path(
        "cases/<int:pk>/monitoring/<int:check_pk>/",
        views.check_record,
        name="provision_check",
    ),
    path("cases/<int:pk>/support/add/", views.support_add, name="provision_support_add"),
    path(
        "cases/<int:pk>/support/<int:referral_pk>/response/",
        views.support_response,
        name="provision_support_response",
    ),
    path(
        "provision/register-audits/",
        views.register_audit_list,
        name="provision_register_audits",
    ),
    path(
        "provision/register-audits/add/",
        views.register_audit_add,
        name="provision_register_audit_add",
    ),
]
