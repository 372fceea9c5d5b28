from django.urls import path

from cme.registers import places_views, views

# Mounted at establishments/. The places register lives here too: its figures belong to an
# establishment.
urlpatterns = [
    path("", views.establishment_list, name="establishment_list"),
    path("add/", views.establishment_add, name="establishment_add"),
    path("<int:pk>/change/", views.establishment_change, name="establishment_change"),
    path("places/", places_views.places_list, name="places_list"),
    path("places/my-school/", places_views.places_own, name="places_own"),
    path("<int:pk>/places/", places_views.places_establishment, name="places_establishment"),
    path("<int:pk>/places/update/", places_views.places_update, name="places_update"),
]
