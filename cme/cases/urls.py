from django.urls import path

from cme.cases import views

# Ids only in these addresses: never a name, a date of birth or a UPN.
urlpatterns = [
    path("open/", views.case_open, name="case_open"),
    path("restricted-access/", views.grant_list, name="grant_list"),
    path("restricted-access/<int:grant_pk>/remove/", views.grant_revoke, name="grant_revoke"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/move/", views.case_move, name="case_move"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/assessment/", views.assessment_edit, name="case_assessment"),
    path("<int:pk>/enquiries/<slug:kind>/", views.enquiry_edit, name="case_enquiry"),
    path("<int:pk>/tasks/add/", views.task_add, name="case_task_add"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="case_task_done"),
    path("<int:pk>/notes/add/", views.note_add, name="case_note_add"),
    path("<int:pk>/documents/add/", views.attachment_add, name="case_attachment_add"),
    path(
        "<int:pk>/documents/<int:attachment_pk>/",
        views.attachment_download,
        name="case_attachment",
    ),
    path("<int:pk>/child/", views.child_edit, name="case_child_edit"),
    path("<int:pk>/child/addresses/add/", views.address_add, name="case_address_add"),
    path("<int:pk>/child/carers/add/", views.carer_add, name="case_carer_add"),
    path("<int:pk>/child/names/add/", views.other_name_add, name="case_name_add"),
    path("<int:pk>/child/siblings/add/", views.sibling_add, name="case_sibling_add"),
    path("<int:pk>/restricted/", views.seal_break, name="case_seal_break"),
]
