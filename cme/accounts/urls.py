from django.urls import path

from cme.accounts import views

# Ids only in these addresses: never an email address or a name.
urlpatterns = [
    path("authorities/", views.authority_list, name="authority_list"),
    path("authorities/add/", views.authority_add, name="authority_add"),
    path("authorities/<int:pk>/change/", views.authority_change, name="authority_change"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/add/", views.agency_add, name="agency_add"),
    path("agencies/<int:pk>/change/", views.agency_change, name="agency_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/roles/add/", views.membership_add, name="membership_add"),
    path(
        "users/<int:pk>/roles/<int:membership_pk>/deactivate/",
        views.membership_deactivate,
        name="membership_deactivate",
    ),
    path(
        "users/<int:pk>/roles/<int:membership_pk>/reactivate/",
        views.membership_reactivate,
        name="membership_reactivate",
    ),
]
