"""The case list and its export (mounted at "cases/"), and "My work" (mounted at the root).

Filters travel in the query string as codes and dates; the free-text search is the only personal
value that may appear there, and it is never written to the audit trail.
"""

from django.urls import path

from cme.cases import list_views

urlpatterns = [
    path("", list_views.case_list, name="case_list"),
    path("export/", list_views.case_export, name="case_export"),
]

my_work_urlpatterns = [
    path("", list_views.my_work, name="my_work"),
]
