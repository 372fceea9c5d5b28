from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from cme.api import views
from cme.api.api import api
from cme.api.problems import problem
from cme.enquiries.api import router as enquiries_router
from cme.lpd.api import router as lpd_router
from cme.transfers.api import router as transfers_router


def _problem_for_wrong_method(view: Any) -> Any:
    """ninja answers a method an address does not take with plain text; the API's answer is a
    problem, like every other error it gives."""

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = view(request, *args, **kwargs)
        if response.status_code == 405 and not response["Content-Type"].startswith(
            ("application/json", "application/problem+json")
        ):
            allowed = response.get("Allow", "")
            response = problem(request, 405, f"This address takes: {allowed}.")
            response["Allow"] = allowed
        return response

    return csrf_exempt(checked)


@csrf_exempt
def api_nothing_here(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(request, 404, "There is no such address in the API. See /api/openapi.json.")


# Each app's endpoints live with the app; they join the one API (and its OpenAPI spec) here.
api.add_router("/v1/", transfers_router)
api.add_router("/v1/", lpd_router)
api.add_router("/v1/", enquiries_router)

api_patterns, api_app_name, api_namespace = api.urls
for pattern in api_patterns:
    if isinstance(pattern, URLPattern):
        # ninja's root view only raises Http404, which would give the HTML page.
        pattern.callback = (
            api_nothing_here
            if pattern.name == "api-root"
            else _problem_for_wrong_method(pattern.callback)
        )

# Ids only in these addresses; the API's own addresses are under /api/.
urlpatterns = [
    path("api/", (api_patterns, api_app_name, api_namespace)),
    re_path(r"^api/(?P<rest>.*)$", api_nothing_here),
    path("admin/api-tokens/", views.api_token_list, name="api_token_list"),
    path("admin/api-tokens/add/", views.api_token_add, name="api_token_add"),
    path("admin/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
