from django.urls import path

from cme.returns import views

# Mounted at the root: school returns under returns/, the EHE register under ehe/.
# Ids only in these addresses: never a name, a date of birth or a UPN.
urlpatterns = [
    path("returns/", views.returns_list, name="returns_list"),
    path("returns/all/", views.returns_all, name="returns_all"),
    path("returns/deletion/new/", views.deletion_return_new, name="returns_deletion_new"),
    path(
        "returns/deletion/<int:pk>/", views.deletion_return_detail, name="returns_deletion_detail"
    ),
    path(
        "returns/deletion/<int:pk>/ctf-sent/",
        views.deletion_return_ctf_sent,
        name="returns_deletion_ctf_sent",
    ),
    path("returns/ctf-overdue/", views.ctf_overdue, name="returns_ctf_overdue"),
    path("returns/ctf-overdue.csv", views.ctf_overdue_csv, name="returns_ctf_overdue_csv"),
    path("returns/new-pupil/new/", views.new_pupil_return_new, name="returns_new_pupil_new"),
    path(
        "returns/new-pupil/<int:pk>/",
        views.new_pupil_return_detail,
        name="returns_new_pupil_detail",
    ),
    path("returns/upload/", views.returns_upload, name="returns_upload"),
    path(
        "returns/upload/template/<slug:kind>.csv",
        views.upload_template,
        name="returns_upload_template",
    ),
    path("ehe/", views.ehe_list, name="ehe_list"),
    path("ehe/add/", views.ehe_add, name="ehe_add"),
    path("ehe/<int:pk>/end/", views.ehe_end, name="ehe_end"),
]
