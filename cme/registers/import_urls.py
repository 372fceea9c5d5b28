from django.urls import path

from cme.registers import import_views

urlpatterns = [
    path("", import_views.import_list, name="import_list"),
    path("upload/", import_views.import_upload, name="import_upload"),
    path("<int:pk>/", import_views.import_detail, name="import_detail"),
    path("<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
]
