"""The Lost Pupil Database's pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
