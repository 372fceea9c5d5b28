"""Fair access / hard-to-place panel pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
