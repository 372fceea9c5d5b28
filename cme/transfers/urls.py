"""Common Transfer File pages: upload, preview, import and export.

Ids only in these addresses: never a name, a date of birth or a UPN.
"""

from django.urls import URLPattern, path

from cme.transfers import views

urlpatterns: list[URLPattern] = [
    path("ctf/", views.ctf_list, name="transfers_ctf_list"),
    path("ctf/upload/", views.ctf_upload, name="transfers_ctf_upload"),
    path("ctf/<int:pk>/", views.ctf_detail, name="transfers_ctf_detail"),
    path("ctf/<int:pk>/import/", views.ctf_import, name="transfers_ctf_import"),
    path("cases/<int:pk>/ctf/", views.case_ctf_export, name="transfers_case_export"),
    path("cases/<int:pk>/ctf/grant/", views.case_ctf_grant, name="transfers_case_export_grant"),
]
