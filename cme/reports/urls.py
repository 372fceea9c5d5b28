"""Reports (mounted at "reports/")."""

from django.urls import path

from cme.reports import views

urlpatterns = [
    path("dfe-return/", views.dfe_return_page, name="reports_dfe_return"),
]
