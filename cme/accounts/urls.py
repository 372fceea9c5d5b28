from django.urls import path

from cme.accounts import views

urlpatterns = [
    path("authorities/", views.authority_list, name="authority_list"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("users/", views.user_list, name="user_list"),
]
