from django.urls import include, path

from cme.cases import list_urls
from cme.core import views as core

urlpatterns = [
    path("", core.home, name="home"),
    path("accessibility/", core.accessibility, name="accessibility"),
    path("privacy/", core.privacy, name="privacy"),
    path("health/", core.health, name="health"),
    path("session/keep-alive/", core.session_keep_alive, name="session_keep_alive"),
    path("session/sign-out/", core.session_sign_out, name="session_sign_out"),
    path("session/timed-out/", core.session_timed_out, name="session_timed_out"),
    path("audit/", core.audit_list, name="audit_list"),
    path("audit/verify/", core.audit_verify, name="audit_verify"),
    path("account/", include("allauth.urls")),
    path("admin/", include("cme.accounts.urls")),
    path("establishments/", include("cme.registers.urls")),
    path("imports/", include("cme.registers.import_urls")),
    path("cases/", include("cme.cases.list_urls")),
    path("cases/", include("cme.cases.urls")),
    path("my-work/", include(list_urls.my_work_urlpatterns)),
    path("matching/", include("cme.matching.urls")),
    path("reports/", include("cme.reports.urls")),
    path("", include("cme.transfers.urls")),
    path("", include("cme.lpd.urls")),
    path("", include("cme.provision.urls")),
    path("", include("cme.panels.urls")),
    path("", include("cme.enquiries.urls")),
    path("", include("cme.intake.urls")),
    path("", include("cme.returns.urls")),
    path("", include("cme.api.urls")),
]

handler403 = "cme.core.views.error_403"
handler404 = "cme.core.views.error_404"
handler500 = "cme.core.views.error_500"
