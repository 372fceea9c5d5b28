"""Common Transfer File pages: upload, preview, import and export."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
