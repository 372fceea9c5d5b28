"""Directory and enquiries between authorities."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
