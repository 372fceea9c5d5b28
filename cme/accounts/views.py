from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rules.contrib.views import permission_required

from cme.accounts.selectors import agencies_visible_to, authorities_visible_to, users_visible_to


@permission_required("accounts.view_authorities", raise_exception=True)
def authority_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/authority_list.html", {"authorities": authorities_visible_to(request.user)})


@permission_required("accounts.manage_agencies", raise_exception=True)
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/agency_list.html", {"agencies": agencies_visible_to(request.user)})


@permission_required("accounts.manage_users", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"users": users_visible_to(request.user)})
