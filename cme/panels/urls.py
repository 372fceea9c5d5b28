"""Fair access / hard-to-place panel pages. Ids only in these addresses."""

from django.urls import URLPattern, path

from cme.panels import views

urlpatterns: list[URLPattern] = [
    path("panels/", views.panel_list, name="panel_list"),
    path("panels/schedule/", views.panel_schedule, name="panel_schedule"),
    path("panels/overdue/", views.panel_overdue, name="panel_overdue"),
    path("panels/<int:pk>/", views.panel_detail, name="panel_detail"),
    path("panels/<int:pk>/change/", views.panel_change, name="panel_change"),
    path("panels/<int:pk>/agenda/add/", views.panel_agenda_add, name="panel_agenda_add"),
    path("panels/<int:pk>/attendees/add/", views.panel_attendee_add, name="panel_attendee_add"),
    path(
        "panels/<int:pk>/attendees/<int:attendee_pk>/remove/",
        views.panel_attendee_remove,
        name="panel_attendee_remove",
    ),
    path(
        "panels/<int:pk>/agenda/<int:item_pk>/decision/",
        views.panel_decision,
        name="panel_decision",
    ),
    path(
        "panels/<int:pk>/agenda/<int:item_pk>/remove/",
        views.panel_agenda_remove,
        name="panel_agenda_remove",
    ),
    path(
        "panels/<int:pk>/agenda/<int:item_pk>/admitted/",
        views.panel_decision_met,
        name="panel_decision_met",
    ),
    path("panels/cases/<int:case_pk>/agenda/", views.panel_case_agenda, name="panel_case_agenda"),
]
