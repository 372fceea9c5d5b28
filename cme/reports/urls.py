"""Reports (mounted at "reports/")."""

from django.urls import path

from cme.reports import views
from cme.reports.selfeval import views as selfeval

urlpatterns = [
    path("", views.dashboard_page, name="reports_dashboard"),
    path("dashboard/refresh/", views.dashboard_refresh, name="reports_dashboard_refresh"),
    path("dashboard/<slug:slug>.csv", views.figure_csv, name="reports_figure_csv"),
    path("how-we-count/", views.how_we_count, name="reports_how"),
    path("termly/", views.termly_page, name="reports_termly"),
    path("termly/xlsx/", views.termly_xlsx, name="reports_termly_xlsx"),
    path("dfe-return/", views.dfe_return_page, name="reports_dfe_return"),
    # self-evaluation
    path("self-evaluation/", selfeval.selfeval_list, name="selfeval_list"),
    path("self-evaluation/start/", selfeval.selfeval_start, name="selfeval_start"),
    path("self-evaluation/<int:pk>/", selfeval.selfeval_detail, name="selfeval_detail"),
    path("self-evaluation/<int:pk>/edit/", selfeval.selfeval_edit, name="selfeval_edit"),
    path("self-evaluation/<int:pk>/print/", selfeval.selfeval_print, name="selfeval_print"),
    path(
        "self-evaluation/<int:pk>/download/", selfeval.selfeval_download, name="selfeval_download"
    ),
    path(
        "self-evaluation/questions/<int:number>/",
        selfeval.selfeval_question,
        name="selfeval_question",
    ),
]
