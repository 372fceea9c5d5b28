from django.urls import path

from cme.registers import views

urlpatterns = [
    path("", views.establishment_list, name="establishment_list"),
]
