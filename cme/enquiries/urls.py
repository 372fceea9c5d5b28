"""Directory and enquiries between authorities. Ids only in these addresses."""

from django.urls import URLPattern, path

from cme.enquiries import views

urlpatterns: list[URLPattern] = [
    path("enquiries/", views.enquiry_list, name="enquiry_list"),
    path("enquiries/directory/", views.directory_list, name="enquiry_directory"),
    path(
        "enquiries/directory/<int:pk>/contacts/add/",
        views.directory_contact_add,
        name="enquiry_directory_contact_add",
    ),
    path(
        "enquiries/directory/contacts/<int:pk>/remove/",
        views.directory_contact_remove,
        name="enquiry_directory_contact_remove",
    ),
    path("enquiries/new/<int:case_pk>/", views.enquiry_new, name="enquiry_new"),
    path("enquiries/<int:pk>/", views.enquiry_detail, name="enquiry_detail"),
    path("enquiries/<int:pk>/change/", views.enquiry_change, name="enquiry_change"),
    path("enquiries/<int:pk>/check/", views.enquiry_check, name="enquiry_check"),
    path("enquiries/<int:pk>/approve/", views.enquiry_approve, name="enquiry_approve"),
    path("enquiries/<int:pk>/assess/", views.enquiry_assess, name="enquiry_assess"),
    path(
        "enquiries/<int:pk>/checks/<str:kind>/",
        views.enquiry_check_record,
        name="enquiry_check_record",
    ),
    path("enquiries/<int:pk>/answer/", views.enquiry_answer, name="enquiry_answer"),
    path("enquiries/<int:pk>/open-case/", views.enquiry_open_case, name="enquiry_open_case"),
]
