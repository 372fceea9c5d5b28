"""Needs, brokering, monitoring and support pages of a case."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
