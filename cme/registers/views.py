from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rules.contrib.views import permission_required

from cme.registers.models import Establishment


@permission_required("registers.view_establishments", raise_exception=True)
def establishment_list(request: HttpRequest) -> HttpResponse:
    return render(request, "registers/establishment_list.html", {"establishments": Establishment.objects.all()[:50]})
