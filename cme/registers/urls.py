from django.urls import path

from cme.registers import views

urlpatterns = [
    path("", views.establishment_list, name="establishment_list"),
    path("add/", views.establishment_add, name="establishment_add"),
    path("<int:pk>/change/", views.establishment_change, name="establishment_change"),
]
