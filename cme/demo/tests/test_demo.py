"""`cme demo`: what it builds, that it builds it once, and who may see the sign-ins."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import timezone

from cme.accounts.models import Authority, Membership, PartnerAgency, Role, User
from cme.children.upn import is_valid_upn
from cme.demo.build import SERVICE_OPERATOR
from cme.demo.catalogue import DEMO_PASSWORD
from cme.demo.places import POSTCODE_RE
from cme.demo.pupils import academic_year_of, birth_range, year_index
from cme.registers.models import Establishment, EstablishmentKind, Phase, RollEntry, Sex

PUPILS = 600  # Exampleshire's roll in these tests; Otherborough gets a fiftieth of it
OTHER_PUPILS = 12


def _demo(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _demo_mode_with_fast_password_hashing(settings: Any) -> None:
    settings.CME_DEMO = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def built(db: None) -> str:
    return _demo(pupils=PUPILS)


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "authorities": list(Authority.objects.order_by("pk").values_list()),
        "establishments": list(Establishment.objects.order_by("pk").values_list()),
        "agencies": list(PartnerAgency.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list()),
        "memberships": list(Membership.objects.order_by("pk").values_list()),
        "roll": list(RollEntry.objects.order_by("pk").values_list()),
    }


def test_it_builds_two_authorities_and_says_how_many_of_each(built: str) -> None:
    assert set(Authority.objects.values_list("la_code", "name")) == {
        ("990", "Exampleshire Council"),
        ("991", "Otherborough Council"),
        ("992", "Thirdshire Council"),  # added with the enquiries between the three
    }
    assert "3 authorities, 67 establishments, 8 partner agencies, 13 demo users" in built
    assert f"{PUPILS + OTHER_PUPILS} pupils on roll" in built
    assert RollEntry.objects.filter(establishment__la_code="990").count() == PUPILS
    assert RollEntry.objects.filter(establishment__la_code="991").count() == OTHER_PUPILS


def test_exampleshire_has_about_sixty_establishments_of_every_kind(built: str) -> None:
    schools = Establishment.objects.filter(la_code="990")
    assert 55 <= schools.count() <= 65
    assert {e.kind for e in schools} == set(EstablishmentKind.values)
    assert {Phase.PRIMARY, Phase.SECONDARY, Phase.ALL_THROUGH, Phase.SIXTEEN_PLUS} <= {
        e.phase for e in schools
    }
    assert schools.filter(is_open=False).count() == 2
    for establishment in Establishment.objects.all():
        establishment.full_clean()
        assert len(establishment.urn or "") == 6
    numbers: dict[str, set[str]] = {e.kind: set() for e in schools}
    for e in schools:
        numbers[e.kind].add(e.number[0])
    assert numbers[EstablishmentKind.SPECIAL] == {"7"}
    assert numbers[EstablishmentKind.INDEPENDENT] == {"6"}
    assert numbers[EstablishmentKind.PRU] == {"1"}


def test_only_open_schools_have_pupils(built: str) -> None:
    assert not RollEntry.objects.filter(establishment__is_open=False).exists()
    assert Establishment.objects.filter(is_open=True, roll__isnull=False).distinct().count() > 50


def test_every_upn_is_valid_unique_and_of_the_pupils_authority(built: str) -> None:
    rows = list(RollEntry.objects.values_list("upn", "establishment__la_code"))
    upns = [upn for upn, _ in rows]
    assert len(set(upns)) == len(upns) == PUPILS + OTHER_PUPILS
    for upn, la_code in rows:
        assert is_valid_upn(upn), upn
        assert upn[1:4] == la_code


def test_pupils_are_the_right_age_for_their_year_group(built: str) -> None:
    today = timezone.localdate()
    academic_year = academic_year_of(today)
    for pupil in RollEntry.objects.select_related("establishment"):
        born_from, born_to = birth_range(pupil.year_group, academic_year)
        assert born_from <= pupil.date_of_birth <= born_to, pupil.year_group
        assert pupil.admission_date is not None
        assert pupil.date_of_birth < pupil.admission_date <= today
        assert POSTCODE_RE.match(pupil.postcode), pupil.postcode
        assert pupil.forename and pupil.surname and pupil.address
        if pupil.establishment.phase == Phase.PRIMARY:
            assert pupil.year_group in {"R", "1", "2", "3", "4", "5", "6"}
        # The UPN was allocated when the pupil started school in England, or later.
        allocated = 2000 + int(pupil.upn[8:10])
        assert academic_year - year_index(pupil.year_group) <= allocated <= today.year
    assert {pupil.sex for pupil in RollEntry.objects.all()} == {Sex.MALE, Sex.FEMALE}
    assert RollEntry.objects.exclude(middle_names="").exists()
    assert RollEntry.objects.exclude(preferred_forename="").exists()


def test_every_role_has_a_demo_user_who_can_sign_in(built: str) -> None:
    roles = Counter(
        Membership.objects.filter(authority__la_code="990", user__is_demo=True).values_list(
            "role", flat=True
        )
    )
    assert set(roles) == set(Role.values)
    for user in User.objects.filter(is_demo=True):
        assert user.email.endswith(".example")
        assert user.check_password(DEMO_PASSWORD)
        validate_password(DEMO_PASSWORD, user)
    assert User.objects.filter(is_demo=False).count() == 0
    operator = User.objects.get(email="operator@cme.example")
    assert operator.is_staff and not operator.memberships.exists()


def test_the_school_and_partner_users_are_tied_to_exampleshire(built: str) -> None:
    school = Membership.objects.get(role=Role.SCHOOL_USER, user__is_demo=True)
    assert school.establishment is not None
    assert school.establishment.la_code == "990"
    assert school.establishment.phase == Phase.SECONDARY
    partner = Membership.objects.get(role=Role.PARTNER, user__is_demo=True)
    assert partner.agency is not None
    assert partner.agency.authority.la_code == "990"


def test_otherborough_has_its_own_administrator_officer_and_manager(built: str) -> None:
    roles = set(Membership.objects.filter(authority__la_code="991").values_list("role", flat=True))
    assert roles == {Role.ADMINISTRATOR, Role.CME_OFFICER, Role.CME_MANAGER}


def test_running_it_again_changes_nothing(built: str) -> None:
    before = _snapshot()
    again = _demo(pupils=PUPILS)
    assert before == _snapshot()
    assert "Added this run: 0 authorities, 0 establishments, 0 partner agencies" in again
    assert "0 demo users, 0 pupils on roll" in again


def test_a_bigger_size_only_fills_schools_that_had_no_pupils(built: str) -> None:
    before = _snapshot()
    _demo(pupils=PUPILS * 4)
    after = _snapshot()
    assert set(before["roll"]) <= set(after["roll"])
    had_pupils = {row[1] for row in before["roll"]}
    assert not had_pupils & {row[1] for row in after["roll"][len(before["roll"]) :]}
    assert {key: rows for key, rows in after.items() if key != "roll"} == {
        key: rows for key, rows in before.items() if key != "roll"
    }


def test_it_makes_the_same_pupils_every_time(built: str) -> None:
    fields = ("upn", "forename", "surname", "date_of_birth", "postcode", "establishment__number")
    first = sorted(RollEntry.objects.values_list(*fields))
    RollEntry.objects.all().delete()
    _demo(pupils=PUPILS)
    assert sorted(RollEntry.objects.values_list(*fields)) == first


def test_it_fills_a_roll_that_is_missing_without_reusing_upns(built: str) -> None:
    school = Establishment.objects.get(la_code="990", number="2001")
    removed = school.roll.count()
    school.roll.all().delete()
    _demo(pupils=PUPILS)
    assert school.roll.count() == removed
    upns = list(RollEntry.objects.values_list("upn", flat=True))
    assert len(set(upns)) == len(upns) == PUPILS + OTHER_PUPILS


def test_print_logins_prints_role_email_and_password_for_each_demo_user(
    built: str, settings: Any
) -> None:
    settings.CME_DEMO = True
    lines = _demo("--print-logins").splitlines()
    assert lines[0] == f"cme_officer officer@exampleshire.example {DEMO_PASSWORD}"
    assert lines[-1] == f"{SERVICE_OPERATOR} operator@cme.example {DEMO_PASSWORD}"
    # The catalogue's 10, and Thirdshire's officer and manager and Otherborough's manager, who
    # answer and approve enquiries between the three authorities.
    assert len(lines) == User.objects.filter(is_demo=True).count() == 13
    for line in lines:
        role, email, password = line.split(" ")
        assert role in {*Role.values, SERVICE_OPERATOR}
        assert User.objects.get(email=email).is_demo
        assert password == DEMO_PASSWORD
    assert _demo("--print-logins").splitlines() == lines


def test_print_logins_leaves_out_people_who_are_not_demo_users(built: str, settings: Any) -> None:
    settings.CME_DEMO = True
    real = User.objects.create_user("real@990.example.gov.uk", "a-long-test-password")
    Membership.objects.create(
        user=real, authority=Authority.objects.get(la_code="990"), role=Role.CME_OFFICER
    )
    assert "real@" not in _demo("--print-logins")


def test_print_logins_refuses_outside_demo_mode(built: str, settings: Any) -> None:
    settings.CME_DEMO = False
    with pytest.raises(CommandError, match="Demo mode is off"):
        _demo("--print-logins")


def test_it_loads_nothing_outside_demo_mode(db: None, settings: Any) -> None:
    settings.CME_DEMO = False
    with pytest.raises(CommandError, match="Demo mode is off"):
        _demo(pupils=PUPILS)
    with pytest.raises(CommandError, match="Demo mode is off"):
        _demo("--if-empty", pupils=PUPILS)
    assert not Authority.objects.exists()
    assert not User.objects.exists()


def test_if_empty_loads_nothing_when_an_authority_exists(db: None) -> None:
    Authority.objects.create(name="Somewhere Council", la_code="123")
    out = _demo("--if-empty", pupils=PUPILS)
    assert "not loaded" in out
    assert Authority.objects.count() == 1
    assert not Establishment.objects.exists()
    assert not User.objects.exists()


def test_if_empty_loads_the_demo_into_an_empty_database(db: None) -> None:
    _demo("--if-empty", pupils=PUPILS)
    assert Authority.objects.count() == 3
    assert RollEntry.objects.count() == PUPILS + OTHER_PUPILS


def test_it_refuses_a_negative_number_of_pupils(db: None) -> None:
    with pytest.raises(CommandError, match="cannot be negative"):
        _demo(pupils=-1)


def test_it_leaves_a_real_account_with_a_demo_address_alone(db: None) -> None:
    real = User.objects.create_user("officer@exampleshire.example", "a-long-test-password")
    _demo(pupils=PUPILS)
    real.refresh_from_db()
    assert not real.is_demo
    assert not real.memberships.exists()
    assert real.check_password("a-long-test-password")


def test_the_full_size_demo_has_twenty_thousand_valid_unique_upns(db: None) -> None:
    out = _demo()
    assert "20,400 pupils on roll" in out
    upns = list(
        RollEntry.objects.filter(establishment__la_code="990").values_list("upn", flat=True)
    )
    assert len(upns) == len(set(upns)) == 20_000
    assert all(is_valid_upn(upn) for upn in upns)
    # At full size every open establishment has pupils.
    assert not Establishment.objects.filter(is_open=True, roll__isnull=True).exists()


def test_a_single_sex_school_has_pupils_of_one_sex(built: str) -> None:
    girls_school = Establishment.objects.get(la_code="990", number="4106")
    assert set(girls_school.roll.values_list("sex", flat=True)) == {Sex.FEMALE}
