"""The places register (§3.7.1, App.2 item 16): figures by year group or programme, dated and by
whom, stale after a month, a school's own only, the authority's totals split by sector."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, Role
from cme.core.models import AuditAction, AuditEvent
from cme.registers import places, services
from cme.registers.models import Establishment, EstablishmentKind, Phase, PlaceFigure
from cme.registers.services import ProgrammePlaces

pytestmark = pytest.mark.django_db


def make(
    la_code: str, number: str, name: str, kind: str, phase: str, **extra: Any
) -> Establishment:
    return Establishment.objects.create(
        la_code=la_code, number=number, name=name, kind=kind, phase=phase, **extra
    )


@pytest.fixture
def secondary(authority: Authority) -> Establishment:
    return make("990", "4001", "Kingsway Academy", EstablishmentKind.ACADEMY, Phase.SECONDARY)


@pytest.fixture
def provider(authority: Authority) -> Establishment:
    return make(
        "990", "1101", "Fresh Start Learning", EstablishmentKind.ALTERNATIVE, Phase.NOT_APPLICABLE
    )


@pytest.fixture
def pru(authority: Authority) -> Establishment:
    return make("990", "1100", "Exampleshire PRU", EstablishmentKind.PRU, Phase.NOT_APPLICABLE)


@pytest.fixture
def elsewhere(other_authority: Authority) -> Establishment:
    return make("991", "2001", "Otherborough Primary", EstablishmentKind.MAINTAINED, Phase.PRIMARY)


def today() -> date:
    return timezone.localdate()


def record(establishment: Establishment, actor: Any = None, days_ago: int = 0, **kw: Any) -> None:
    services.place_figures_record(
        actor=actor, establishment=establishment, as_of=today() - timedelta(days=days_ago), **kw
    )


# -- The stale rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "on", "stale"),
    [
        (date(2026, 10, 28), date(2026, 11, 27), False),
        (date(2026, 10, 28), date(2026, 11, 28), False),  # exactly a month old: still fresh
        (date(2026, 10, 28), date(2026, 11, 29), True),
        (date(2027, 1, 31), date(2027, 2, 28), False),  # a shorter month: its last day
        (date(2027, 1, 31), date(2027, 3, 1), True),
        (date(2026, 12, 15), date(2027, 1, 15), False),  # across the new year
        (date(2026, 12, 15), date(2027, 1, 16), True),
    ],
)
def test_a_figure_is_stale_when_more_than_a_month_old(given: date, on: date, stale: bool) -> None:
    assert places.is_stale(given, on) is stale


def test_the_page_marks_stale_figures(
    establishment: Establishment, make_member: Any, client_for: Any
) -> None:
    record(establishment, days_ago=40, year_groups={"1": 2})
    record(establishment, days_ago=3, year_groups={"2": 1})
    page = client_for(make_member(Role.SCHOOL_USER)).get(
        reverse("places_establishment", args=[establishment.pk])
    )
    row = page.context["row"]
    assert [(f.year_group, f.pk in page.context["stale"]) for f in row.figures] == [
        ("1", True),
        ("2", False),
    ]
    assert page.content.decode().count(">Stale</strong>") == 1


# -- Who sees and changes what ------------------------------------------------------------------


def test_a_school_sees_and_updates_only_its_own_figures(
    establishment: Establishment, secondary: Establishment, make_member: Any, client_for: Any
) -> None:
    school_user = make_member(Role.SCHOOL_USER)  # at Meadow Lane Primary School
    client = client_for(school_user)
    assert client.get(reverse("places_own")).url == reverse(
        "places_establishment", args=[establishment.pk]
    )
    assert client.get(reverse("places_establishment", args=[establishment.pk])).status_code == 200
    response = client.post(
        reverse("places_update", args=[establishment.pk]), {"year_R": "3", "year_6": "0"}
    )
    assert response.status_code == 302
    assert sorted(
        PlaceFigure.objects.filter(establishment=establishment).values_list(
            "year_group", "places", "recorded_by"
        )
    ) == [("6", 0, school_user.pk), ("R", 3, school_user.pk)]

    # Another school's figures: neither seen nor changed; the authority's list is not theirs.
    assert client.get(reverse("places_establishment", args=[secondary.pk])).status_code == 404
    assert (
        client.post(reverse("places_update", args=[secondary.pk]), {"year_7": "5"}).status_code
        == 404
    )
    assert client.get(reverse("places_list")).status_code == 403
    assert not PlaceFigure.objects.filter(establishment=secondary).exists()


def test_the_la_sees_and_updates_any_figures_in_its_area_only(
    establishment: Establishment,
    provider: Establishment,
    elsewhere: Establishment,
    make_member: Any,
    client_for: Any,
) -> None:
    officer = client_for(make_member(Role.CME_OFFICER))
    assert (
        officer.post(reverse("places_update", args=[establishment.pk]), {"year_3": "4"}).status_code
        == 302
    )
    page = officer.get(reverse("places_update", args=[provider.pk]))
    assert page.status_code == 200
    assert (
        officer.post(
            reverse("places_update", args=[provider.pk]),
            {"new_name": "Key stage 4 engagement", "new_places": "6"},
        ).status_code
        == 302
    )
    assert officer.get(reverse("places_establishment", args=[elsewhere.pk])).status_code == 404
    assert (
        officer.post(reverse("places_update", args=[elsewhere.pk]), {"year_3": "4"}).status_code
        == 404
    )
    caseworker = client_for(make_member(Role.CASEWORKER))
    assert caseworker.get(reverse("places_list")).status_code == 403
    listed = officer.get(reverse("places_list"))
    assert [r.establishment.name for r in listed.context["page"].object_list] == [
        "Fresh Start Learning",
        "Meadow Lane Primary School",
    ]


def test_the_form_refuses_what_the_register_cannot_take(
    establishment: Establishment, provider: Establishment, make_member: Any, client_for: Any
) -> None:
    officer = client_for(make_member(Role.CME_OFFICER))
    empty = officer.post(reverse("places_update", args=[establishment.pk]), {})
    assert empty.status_code == 200
    assert empty.context["form"].non_field_errors() == [
        "Enter the places available in at least one year group"
    ]
    bad = officer.post(reverse("places_update", args=[establishment.pk]), {"year_1": "-1"})
    assert bad.context["form"].errors["year_1"] == ["The year 1 places available must be 0 or more"]
    half = officer.post(reverse("places_update", args=[provider.pk]), {"new_name": "Horse care"})
    assert half.context["form"].errors["new_places"] == ["Enter the places on the new programme"]
    assert not PlaceFigure.objects.exists()


def test_the_service_refuses_figures_in_the_wrong_shape(
    establishment: Establishment, provider: Establishment
) -> None:
    with pytest.raises(services.PlacesRefused, match="does not take year groups 9"):
        record(establishment, year_groups={"9": 1})
    with pytest.raises(services.PlacesRefused, match="by year group"):
        record(establishment, programmes=[ProgrammePlaces("Art", 2)])
    with pytest.raises(services.PlacesRefused, match="by programme"):
        record(provider, year_groups={"9": 1})
    with pytest.raises(services.PlacesRefused, match="future"):
        record(establishment, days_ago=-1, year_groups={"1": 1})
    with pytest.raises(services.PlacesRefused, match="only once"):
        record(provider, programmes=[ProgrammePlaces("Art", 2), ProgrammePlaces("art ", 1)])


# -- History, totals ------------------------------------------------------------------------


def test_every_update_is_kept_and_the_newest_is_current(
    establishment: Establishment, make_member: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    record(establishment, officer, days_ago=20, year_groups={"1": 5, "2": 3})
    record(establishment, officer, days_ago=5, year_groups={"1": 2})
    assert PlaceFigure.objects.filter(establishment=establishment).count() == 3
    current = {
        f.year_group: (f.places, f.as_of) for f in places.current_figures([establishment], today())
    }
    assert current == {
        "1": (2, today() - timedelta(days=5)),
        "2": (3, today() - timedelta(days=20)),
    }
    # As the figures stood ten days ago.
    then = places.current_figures([establishment], today() - timedelta(days=10))
    assert {f.year_group: f.places for f in then} == {"1": 5, "2": 3}
    event = (
        AuditEvent.objects.filter(action=AuditAction.CREATED, target_type="registers.establishment")
        .order_by("-seq")
        .first()
    )
    assert event is not None
    assert event.payload["kind"] == "place_figures"
    assert event.payload["year_groups"] == ["1"]


def test_totals_split_statutory_and_alternative_provision(
    authority: Authority,
    establishment: Establishment,
    secondary: Establishment,
    provider: Establishment,
    pru: Establishment,
    elsewhere: Establishment,
    django_assert_num_queries: Any,
) -> None:
    make("990", "9001", "Exampleshire YOI", EstablishmentKind.CUSTODIAL, Phase.NOT_APPLICABLE)
    make("990", "1001", "Little Acorns Nursery", EstablishmentKind.MAINTAINED, Phase.NURSERY)
    make(
        "990", "2099", "Closed Primary", EstablishmentKind.MAINTAINED, Phase.PRIMARY, is_open=False
    )
    record(establishment, days_ago=40, year_groups={"R": 2, "3": 1})  # stale
    record(secondary, days_ago=2, year_groups={"7": 10, "11": 0})
    record(provider, days_ago=1, programmes=[ProgrammePlaces("Horse care", 4)])
    record(provider, programmes=[ProgrammePlaces("Horse care", 0, ended=True)])
    record(provider, programmes=[ProgrammePlaces("Construction", 3)])
    record(elsewhere, year_groups={"1": 50})  # another authority's
    with django_assert_num_queries(2):
        totals = places.places_available(authority, on=today())
    assert totals.statutory == places.SectorTotal(
        places=13, stale_places=3, establishments=2, reporting=2, stale_establishments=1
    )
    assert totals.alternative == places.SectorTotal(
        places=3, stale_places=0, establishments=2, reporting=1, stale_establishments=0
    )
    assert totals.places == 16
    assert not totals.all_fresh
    # Yesterday: before the programme ended and the new one started.
    earlier = places.places_available(authority, on=today() - timedelta(days=1))
    assert (earlier.statutory.places, earlier.alternative.places) == (13, 4)


def test_the_page_filters_by_year_group_kind_and_phase(
    establishment: Establishment,
    secondary: Establishment,
    provider: Establishment,
    make_member: Any,
    client_for: Any,
) -> None:
    record(establishment, year_groups={"R": 2, "3": 1})
    record(secondary, year_groups={"7": 10, "8": 4})
    record(provider, programmes=[ProgrammePlaces("Construction", 3)])
    officer = client_for(make_member(Role.CME_MANAGER))
    year_7 = officer.get(reverse("places_list"), {"year_group": "7"})
    assert [(r.establishment.name, r.places) for r in year_7.context["page"].object_list] == [
        ("Kingsway Academy", 10)
    ]
    assert (
        year_7.context["totals"].statutory.places,
        year_7.context["totals"].alternative.places,
    ) == (10, 0)
    ap = officer.get(reverse("places_list"), {"kind": EstablishmentKind.ALTERNATIVE})
    assert [r.establishment.name for r in ap.context["page"].object_list] == [
        "Fresh Start Learning"
    ]
    assert ap.context["totals"].alternative.places == 3
    primary = officer.get(reverse("places_list"), {"phase": Phase.PRIMARY})
    assert primary.context["totals"].places == 3


def test_a_programme_can_end_and_a_new_one_start(
    provider: Establishment, make_member: Any, client_for: Any
) -> None:
    record(provider, programmes=[ProgrammePlaces("Horse care", 4), ProgrammePlaces("Art", 2)])
    officer = client_for(make_member(Role.CME_OFFICER))
    form = officer.get(reverse("places_update", args=[provider.pk])).context["form"]
    horse, art = sorted(form.programmes, key=lambda f: f.programme, reverse=True)
    response = officer.post(
        reverse("places_update", args=[provider.pk]),
        {
            f"programme_{horse.pk}": "4",
            f"programme_{horse.pk}_ended": "on",
            f"programme_{art.pk}": "1",
            "new_name": "Construction",
            "new_places": "5",
        },
    )
    assert response.status_code == 302
    current = {f.programme: f.places for f in places.current_figures([provider], today())}
    assert current == {"Art": 1, "Construction": 5}


def test_the_list_takes_a_fixed_number_of_queries(
    authority: Authority, make_member: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        school = make("990", f"{3000 + n}", f"School {n}", EstablishmentKind.ACADEMY, Phase.PRIMARY)
        record(school, year_groups={"1": n})
    officer = client_for(make_member(Role.CME_OFFICER))
    with django_assert_max_num_queries(12):
        assert officer.get(reverse("places_list")).status_code == 200


def test_the_demo_fills_the_register_with_some_stale_figures(
    authority: Authority,
    establishment: Establishment,
    secondary: Establishment,
    provider: Establishment,
) -> None:
    from cme.demo.places_register import build_places_register

    made = build_places_register(authority, today=today())
    assert made > 0
    totals = places.places_available(authority, on=today())
    assert totals.statutory.reporting == 2 and totals.alternative.reporting == 1
    assert totals.statutory.stale_establishments + totals.alternative.stale_establishments >= 1
    assert build_places_register(authority, today=today()) == 0  # a second run adds nothing
