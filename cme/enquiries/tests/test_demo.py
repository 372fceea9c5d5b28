"""The demo's enquiries: three neighbouring authorities and enquiries in every state."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, User
from cme.core.selectors import payloads_for
from cme.demo.build import demo_build
from cme.demo.enquiries import build_enquiries
from cme.enquiries.models import Direction, DirectoryEntry, Enquiry, Status

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_authorities_and_enquiries_in_every_state(settings: Any) -> None:
    settings.CME_DEMO = True  # demo accounts sign in without a second factor
    demo_build(pupils=300)
    authorities = {a.la_code: a for a in Authority.objects.filter(la_code__in=["990", "991"])}
    today = timezone.localdate()
    # demo_build makes them (the states are checked below); a second call adds nothing.
    assert build_enquiries(authorities, today=today) == 0
    assert set(DirectoryEntry.objects.values_list("la_code", flat=True)) >= {"990", "991", "992"}
    assert all(e.contacts.exists() for e in DirectoryEntry.objects.all())
    outgoing = set(
        Enquiry.objects.filter(direction=Direction.OUTGOING).values_list("status", flat=True)
    )
    incoming = set(
        Enquiry.objects.filter(direction=Direction.INCOMING).values_list("status", flat=True)
    )
    assert outgoing == {
        Status.DRAFT,
        Status.AWAITING_APPROVAL,
        Status.NOT_APPROVED,
        Status.SENT,
        Status.ANSWERED,
    }
    assert incoming == {Status.RECEIVED, Status.ASSESSED, Status.ANSWERED}
    assert Enquiry.objects.filter(escalated_at__isnull=False).count() == 1
    # Fixture loading: no audit events, and a second run adds nothing.
    for pk in Enquiry.objects.values_list("pk", flat=True):
        assert payloads_for(target_type="enquiries.enquiry", target_id=str(pk)) == []
    assert build_enquiries(authorities, today=today) == 0
    # Every demo enquiry's page opens for its own authority's officer.
    for code, email in (
        ("990", "manager@exampleshire.example"),
        ("991", "officer@otherborough.example"),
        ("992", "officer@thirdshire.example"),
    ):
        client = Client()
        client.force_login(User.objects.get(email=email))
        for show in ("open", "answered", "sent"):
            assert client.get(reverse("enquiry_list"), {"show": show}).status_code == 200
        for pk in Enquiry.objects.filter(authority__la_code=code).values_list("pk", flat=True):
            assert client.get(reverse("enquiry_detail", args=[pk]), follow=True).status_code == 200
