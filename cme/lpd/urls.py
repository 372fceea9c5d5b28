"""The Lost Pupil Database's pages (ids only in these addresses)."""

from django.urls import URLPattern, path

from cme.lpd import views

urlpatterns: list[URLPattern] = [
    path("lpd/", views.upload_list, name="lpd_uploads"),
    path("lpd/upload/", views.upload, name="lpd_upload"),
    path("lpd/uploads/<int:pk>/", views.upload_detail, name="lpd_upload_detail"),
    path("lpd/uploads/<int:pk>/withdraw/", views.upload_withdraw, name="lpd_upload_withdraw"),
    path("lpd/search/", views.search, name="lpd_search"),
    path("lpd/pupils/<int:pk>/", views.pupil_detail, name="lpd_pupil"),
    path("lpd/pupils/<int:pk>/download/", views.pupil_download, name="lpd_pupil_download"),
    path("lpd/activity/", views.activity, name="lpd_activity"),
]
