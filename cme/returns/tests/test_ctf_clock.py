"""The 15-school-day CTF clock (§3.9.4.4): due dates on the authority's term calendar, the school
recording the file as sent, a CTF file closing the obligation, and the overdue lists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role, User
from cme.children.upn import make_upn
from cme.core.models import AuditAction, AuditEvent, Term
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.returns import ctf, services
from cme.returns.grounds import Ground
from cme.returns.models import CTFRoute, DeletionReturn, DueBasis
from cme.returns.tests.factories import deletion

pytestmark = pytest.mark.django_db

# Exampleshire's terms for 2025/26 and the start of 2026/27. Easter Monday (6 April 2026) and the
# spring bank holiday (25 May 2026) fall in holidays; the early May bank holiday (4 May 2026)
# falls in term.
TERMS = [
    ("Autumn 1 2025", date(2025, 9, 3), date(2025, 10, 24)),
    ("Autumn 2 2025", date(2025, 11, 3), date(2025, 12, 19)),
    ("Spring 1 2026", date(2026, 1, 5), date(2026, 2, 13)),
    ("Spring 2 2026", date(2026, 2, 23), date(2026, 3, 27)),
    ("Summer 1 2026", date(2026, 4, 13), date(2026, 5, 22)),
    ("Summer 2 2026", date(2026, 6, 1), date(2026, 7, 22)),
    ("Autumn 1 2026", date(2026, 9, 2), date(2026, 10, 23)),
    ("Autumn 2 2026", date(2026, 11, 2), date(2026, 12, 18)),
    ("Spring 1 2027", date(2027, 1, 4), date(2027, 2, 12)),
]
TODAY = date(2026, 11, 20)  # a Friday in Autumn 2


@pytest.fixture
def terms(authority: Authority) -> None:
    Term.objects.bulk_create(
        Term(authority=authority, name=name, starts=starts, ends=ends)
        for name, starts, ends in TERMS
    )


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Fix "today" for the whole service (forms, services and pages)."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> date:
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def school_user(make_member: Any) -> User:
    user: User = make_member(Role.SCHOOL_USER)
    return user


@pytest.fixture
def other_school(authority: Authority) -> Establishment:
    return Establishment.objects.create(
        la_code=authority.la_code,
        number="4001",
        name="Hillside Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )


def delete(establishment: Establishment, actor: Any, on: date, n: int, **changes: Any) -> Any:
    return services.deletion_return_submit(
        actor=actor,
        establishment=establishment,
        details=deletion(
            upn=make_upn("990", "2001", 2015, n),
            forename=f"Pupil{n}",
            deleted_on=on.isoformat(),
            last_attended_on=on.isoformat(),
            **changes,
        ),
    )


# -- The due date ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("terms")
def test_the_clock_stops_over_half_term(authority: Authority) -> None:
    # Friday 17 October 2025: five school days to half term, the week of 27 October is a
    # holiday, then ten more school days.
    due, basis = ctf.ctf_due(authority, Ground.MOVED_AWAY, date(2025, 10, 17))
    assert (due, basis) == (date(2025, 11, 14), DueBasis.SCHOOL_DAYS)


@pytest.mark.usefixtures("terms")
def test_a_bank_holiday_in_term_is_not_a_school_day(authority: Authority) -> None:
    # Friday 24 April 2026: Monday 4 May is the early May bank holiday, so the 15th school day
    # is Monday 18 May rather than Friday 15 May.
    due, _ = ctf.ctf_due(authority, Ground.ANOTHER_SCHOOL, date(2026, 4, 24))
    assert due == date(2026, 5, 18)


@pytest.mark.usefixtures("terms")
def test_the_deletion_day_itself_is_not_counted(authority: Authority) -> None:
    # Monday 9 March 2026 to the 15th school day after it: Monday 30 March is the Easter holiday,
    # so the term's last day, Friday 27 March, is only the 14th; the 15th is 13 April.
    due, _ = ctf.ctf_due(authority, Ground.MOVED_AWAY, date(2026, 3, 9))
    assert due == date(2026, 4, 13)


def test_without_term_dates_three_calendar_weeks_are_used(authority: Authority) -> None:
    due, basis = ctf.ctf_due(authority, Ground.MOVED_AWAY, date(2026, 10, 16))
    assert (due, basis) == (date(2026, 11, 6), DueBasis.CALENDAR_FALLBACK)


@pytest.mark.parametrize("ground", sorted(ctf.NO_CTF_GROUNDS))
def test_no_file_is_due_when_there_is_no_next_school(authority: Authority, ground: Ground) -> None:
    assert ctf.ctf_due(authority, ground, date(2026, 10, 16)) == (None, "")
    assert ctf.no_ctf_reason(ground)


@pytest.mark.usefixtures("terms", "today")
def test_a_deletion_return_starts_the_clock(
    establishment: Establishment, school_user: User
) -> None:
    ret = delete(establishment, school_user, date(2025, 10, 17), 1)
    assert ret.ctf_due_on == date(2025, 11, 14)
    assert ret.ctf_due_basis == DueBasis.SCHOOL_DAYS
    died = delete(establishment, school_user, date(2025, 10, 17), 2, ground=Ground.DIED.value)
    assert died.ctf_due_on is None
    assert not died.ctf_is_due


# -- Recording the file as sent ---------------------------------------------------------------


@pytest.mark.usefixtures("terms", "today")
def test_the_school_records_the_file_as_sent(
    establishment: Establishment, school_user: User
) -> None:
    ret = delete(establishment, school_user, date(2026, 10, 16), 1)
    ctf.deletion_return_ctf_sent(
        deletion_return=ret, sent_on=date(2026, 11, 16), via=CTFRoute.LOST, actor=school_user
    )
    ret.refresh_from_db()
    assert (ret.ctf_sent_on, ret.ctf_sent_via, ret.ctf_sent_by) == (
        date(2026, 11, 16),
        CTFRoute.LOST,
        school_user,
    )
    assert ret.ctf_sent_late  # due Friday 13 November
    event = AuditEvent.objects.get(
        target_type="returns.deletionreturn", target_id=str(ret.pk), action=AuditAction.UPDATED
    )
    assert event.payload["kind"] == "ctf_sent"
    assert event.payload["late"] is True


@pytest.mark.usefixtures("terms", "today")
def test_recording_refuses_a_second_record_a_future_date_and_a_ground_needing_none(
    establishment: Establishment, school_user: User
) -> None:
    ret = delete(establishment, school_user, date(2026, 10, 16), 1)
    with pytest.raises(ctf.CTFRefused, match="today or in the past"):
        ctf.deletion_return_ctf_sent(
            deletion_return=ret, sent_on=TODAY + timedelta(days=1), via="lost", actor=school_user
        )
    ctf.deletion_return_ctf_sent(
        deletion_return=ret, sent_on=TODAY, via=CTFRoute.AUTHORITY, actor=school_user
    )
    with pytest.raises(ctf.CTFRefused, match="already recorded as sent"):
        ctf.deletion_return_ctf_sent(
            deletion_return=ret, sent_on=TODAY, via=CTFRoute.LOST, actor=school_user
        )
    died = delete(establishment, school_user, date(2026, 10, 16), 2, ground=Ground.DIED.value)
    with pytest.raises(ctf.CTFRefused, match="No common transfer file is due"):
        ctf.deletion_return_ctf_sent(
            deletion_return=died, sent_on=TODAY, via=CTFRoute.LOST, actor=school_user
        )


@pytest.mark.usefixtures("terms", "today")
def test_a_ctf_file_closes_the_matching_obligation(
    establishment: Establishment, other_school: Establishment, school_user: User
) -> None:
    ret = delete(establishment, school_user, date(2026, 10, 16), 1)
    upn = ret.upn
    # Another school's file for the same UPN, or an unknown UPN, closes nothing.
    assert (
        ctf.ctf_sent_from(
            establishment=other_school, upn=upn, sent_on=TODAY, via="lost", actor=None
        )
        is None
    )
    assert (
        ctf.ctf_sent_from(
            establishment=establishment,
            upn=make_upn("990", "2001", 2015, 9),
            sent_on=TODAY,
            via="lost",
            actor=None,
        )
        is None
    )
    closed = ctf.ctf_sent_from(
        establishment=establishment, upn=upn.lower(), sent_on=TODAY, via="lost", actor=None
    )
    assert closed is not None and closed.pk == ret.pk
    assert closed.ctf_sent_on == TODAY and closed.ctf_sent_by is None
    # Nothing left open for that pupil.
    assert (
        ctf.ctf_sent_from(
            establishment=establishment, upn=upn, sent_on=TODAY, via="lost", actor=None
        )
        is None
    )


# -- Overdue lists ---------------------------------------------------------------------------


@pytest.fixture
def overdue_world(
    establishment: Establishment, other_school: Establishment, school_user: User
) -> dict[str, DeletionReturn]:
    """On Friday 20 November 2026: one of our school's files is 5 school days overdue, one of
    the other school's 10; one not yet due; one for a pupil who died (none due)."""
    return {
        "ours": delete(establishment, school_user, date(2026, 10, 16), 1),  # due Fri 13 Nov
        "not_due": delete(
            establishment,
            school_user,
            date(2026, 11, 2),
            2,
            ground=Ground.ANOTHER_SCHOOL.value,
            destination_other="A school in Wales",
        ),  # due Mon 23 Nov
        "died": delete(establishment, school_user, date(2026, 10, 16), 3, ground="died"),
        "theirs": delete(other_school, school_user, date(2026, 10, 9), 4),  # due Fri 6 Nov
    }


@pytest.mark.usefixtures("terms", "today")
def test_the_la_lists_every_schools_overdue_files_in_school_days(
    overdue_world: dict[str, DeletionReturn], make_member: Any, client_for: Any
) -> None:
    officer = client_for(make_member(Role.CME_OFFICER))
    page = officer.get(reverse("returns_ctf_overdue"))
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert [(r.reference, r.days_overdue) for r in rows] == [
        (overdue_world["theirs"].reference, 10),
        (overdue_world["ours"].reference, 5),
    ]
    by_school = officer.get(reverse("returns_ctf_overdue"), {"sort": "school"})
    assert [r.establishment for r in by_school.context["page"].object_list] == [
        "Hillside Academy",
        "Meadow Lane Primary School",
    ]
    least = officer.get(reverse("returns_ctf_overdue"), {"sort": "-overdue"})
    assert [r.days_overdue for r in least.context["page"].object_list] == [5, 10]


@pytest.mark.usefixtures("terms", "today")
def test_a_school_sees_only_its_own_overdue_files_and_marking_sent_clears_them(
    overdue_world: dict[str, DeletionReturn], school_user: User, client_for: Any
) -> None:
    school = client_for(school_user)
    listed = school.get(reverse("returns_list")).context["ctf_overdue"]
    assert [(r.reference, r.days_overdue) for r in listed] == [(overdue_world["ours"].reference, 5)]
    assert school.get(reverse("returns_ctf_overdue")).status_code == 403

    ours = overdue_world["ours"]
    detail = school.get(reverse("returns_deletion_detail", args=[ours.pk]))
    assert "Record the file as sent" in detail.content.decode()
    posted = school.post(
        reverse("returns_deletion_ctf_sent", args=[ours.pk]),
        {"sent_on_0": "20", "sent_on_1": "11", "sent_on_2": "2026", "via": "destination"},
    )
    assert posted.status_code == 302
    assert school.get(reverse("returns_list")).context["ctf_overdue"] == []


@pytest.mark.usefixtures("terms", "today")
def test_the_form_explains_its_errors_and_other_schools_cannot_record(
    overdue_world: dict[str, DeletionReturn],
    school_user: User,
    authority: Authority,
    other_school: Establishment,
    make_member: Any,
    client_for: Any,
) -> None:
    school = client_for(school_user)
    url = reverse("returns_deletion_ctf_sent", args=[overdue_world["ours"].pk])
    page = school.post(url, {"sent_on_0": "21", "sent_on_1": "11", "sent_on_2": "2026"})
    assert page.status_code == 200
    assert page.context["form"].errors.keys() == {"sent_on", "via"}
    assert page.content.decode().count("govuk-error-summary") >= 1

    other = User.objects.create_user("hillside@990.example.gov.uk", "pw", full_name="Other")
    Membership.objects.create(
        user=other, authority=authority, role=Role.SCHOOL_USER, establishment=other_school
    )
    TOTP.activate(other, generate_totp_secret())
    refused = client_for(other).post(url, {"sent_on_0": "20", "sent_on_1": "11", "via": "lost"})
    assert refused.status_code == 404
    officer = client_for(make_member(Role.CME_OFFICER))
    assert officer.post(url, {}).status_code == 403
    overdue_world["ours"].refresh_from_db()
    assert overdue_world["ours"].ctf_sent_on is None


@pytest.mark.usefixtures("terms", "today")
def test_the_overdue_list_downloads_as_an_audited_csv(
    overdue_world: dict[str, DeletionReturn], make_member: Any, client_for: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    response = client_for(officer).get(reverse("returns_ctf_overdue_csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ctfs-overdue-2026-11-20.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Reference,School,DfE number,Pupil")
    assert lines[1].startswith(f"{overdue_world['theirs'].reference},Hillside Academy,990/4001,")
    assert lines[1].endswith(",2026-10-09,2026-11-06,10,school days")
    assert len(lines) == 3
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED, actor_id=officer.pk)
    assert event.payload["rows"] == 2


@pytest.mark.usefixtures("today")
def test_without_term_dates_overdue_days_are_weekdays_and_say_so(
    establishment: Establishment, school_user: User, client_for: Any
) -> None:
    ret = delete(establishment, school_user, date(2026, 10, 16), 1)
    assert ret.ctf_due_on == date(2026, 11, 6)  # three calendar weeks
    listed = client_for(school_user).get(reverse("returns_list"))
    [row] = listed.context["ctf_overdue"]
    assert (row.days_overdue, row.in_school_days) == (10, False)
    assert "weekdays (no term dates)" in listed.content.decode()


@pytest.mark.usefixtures("terms", "today")
def test_the_demo_starts_the_clock_on_returns_without_one(
    authority: Authority, establishment: Establishment, school_user: User
) -> None:
    from cme.returns.demo import build_ctf_clock

    owed = [
        delete(establishment, school_user, date(2026, 9, 10) + timedelta(days=n), n)
        for n in range(12)
    ]
    died = delete(establishment, school_user, date(2026, 9, 10), 99, ground=Ground.DIED.value)
    DeletionReturn.objects.update(ctf_due_on=None, ctf_due_basis="")  # as bulk-loaded demo rows
    assert build_ctf_clock(authority, today=TODAY) == len(owed)
    loaded = {r.pk: r for r in DeletionReturn.objects.all()}
    for ret in owed:
        assert loaded[ret.pk].ctf_due_on == ctf.ctf_due(authority, ret.ground, ret.deleted_on)[0]
        sent = loaded[ret.pk].ctf_sent_on
        assert sent is None or ret.deleted_on <= sent <= TODAY
    assert loaded[died.pk].ctf_due_on is None
    assert any(r.ctf_sent_on for r in loaded.values())
    assert build_ctf_clock(authority, today=TODAY) == 0
