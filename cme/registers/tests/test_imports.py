"""Roll and establishment imports: every row checked, a preview, then all or nothing, idempotent,
and alerts on open cases for children who appear on a roll."""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cme.accounts.models import Authority, Role, User
from cme.cases.models import CaseEvent, Stage, Task
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import FormerUPN
from cme.children.upn import make_upn
from cme.core.models import AuditAction, AuditEvent
from cme.registers.imports import apply, runner, services, work
from cme.registers.imports.alerts import TASK_TITLE
from cme.registers.imports.csvfile import ESTABLISHMENTS, ROLL
from cme.registers.models import (
    Establishment,
    EstablishmentKind,
    ImportAlert,
    ImportBatch,
    ImportKind,
    ImportStatus,
    Phase,
    RollEntry,
)

pytestmark = pytest.mark.django_db

MakeMember = Callable[..., User]
FORENAMES = ["Ava", "Ben", "Cara", "Dev", "Esme", "Finn", "Gita", "Hugo", "Isla", "Jay"]
SURNAMES = ["Ashdown", "Brierley", "Cotterill", "Dunmore", "Ellery", "Fairweather"]


def pupil(n: int, **changes: str) -> dict[str, str]:
    """A fictional pupil of Meadow Lane (990/2001) with a valid UPN."""
    values = {
        "upn": make_upn("990", "2001", 2018 + n // 1000, n % 1000),
        "forename": FORENAMES[n % len(FORENAMES)],
        "middle_names": "",
        "surname": f"{SURNAMES[n % len(SURNAMES)]}{n}",
        "preferred_forename": "",
        "dob": f"2015-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "sex": "F" if n % 2 else "M",
        "address": f"{n} Mill Lane, Exampleton",
        "postcode": "EX1 2AB",
        "year_group": "4",
        "entry_date": "2019-09-04",
    }
    values.update(changes)
    return values


def roll_csv(pupils: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ROLL.header.split(",")
    writer.writerow(columns)
    writer.writerows([p.get(c, "") for c in columns] for p in pupils)
    return out.getvalue()


def establishments_csv(rows: list[str]) -> str:
    return "\n".join([ESTABLISHMENTS.header, *rows]) + "\n"


@pytest.fixture(autouse=True)
def _imports_run_in_the_test(settings: Any) -> None:
    settings.CME_IMPORTS_RUN = "sync"


@pytest.fixture
def officer(make_member: MakeMember) -> User:
    return make_member(Role.CME_OFFICER)


def upload(
    officer: User,
    text: str,
    establishment: Establishment | None,
    kind: ImportKind = ImportKind.ROLL,
) -> ImportBatch:
    """Upload a file as the upload page does, and let the check run."""
    membership = officer.membership
    assert membership is not None
    rows = sum(1 for line in text.splitlines()[1:] if line.strip())
    batch = services.import_batch_create(
        actor=officer,
        authority=membership.authority,
        kind=kind,
        establishment=establishment,
        text=text,
        rows=rows,
    )
    runner.dispatch(batch.pk)
    batch.refresh_from_db()
    return batch


def confirm(officer: User, batch: ImportBatch) -> ImportBatch:
    services.import_batch_confirm(actor=officer, batch=batch)
    runner.dispatch(batch.pk)
    batch.refresh_from_db()
    return batch


def import_roll(officer: User, text: str, establishment: Establishment) -> ImportBatch:
    batch = upload(officer, text, establishment)
    assert batch.status == ImportStatus.READY, batch.errors
    return confirm(officer, batch)


def snapshot() -> dict[str, list[Any]]:
    """Everything an import may change, to show that it did not."""
    return {
        "roll": list(RollEntry.objects.order_by("pk").values()),
        "establishments": list(Establishment.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "alerts": list(ImportAlert.objects.order_by("pk").values()),
    }


def test_a_clean_roll_is_checked_previewed_and_applied(
    officer: User, establishment: Establishment
) -> None:
    batch = upload(officer, roll_csv([pupil(n) for n in range(1, 4)]), establishment)

    assert batch.status == ImportStatus.READY, batch.errors
    assert batch.summary["new"] == 3 and batch.summary["errors"] == 0
    assert [row for row, _, _ in batch.preview["new"]] == [2, 3, 4]
    assert not RollEntry.objects.exists()  # nothing changes before confirming

    batch = confirm(officer, batch)

    assert batch.status == ImportStatus.APPLIED
    assert batch.content == ""  # the file is not kept once it is applied
    entry = RollEntry.objects.get(upn=pupil(1)["upn"])
    assert (entry.date_of_birth, entry.sex, entry.postcode) == (date(2015, 2, 2), "F", "EX1 2AB")
    assert entry.admission_date == date(2019, 9, 4) and entry.establishment == establishment


def test_an_import_with_one_bad_row_changes_nothing_and_reports_the_row(
    officer: User, establishment: Establishment
) -> None:
    import_roll(officer, roll_csv([pupil(1), pupil(2)]), establishment)
    before = snapshot()
    rows = [pupil(1, surname="Changed"), pupil(2), pupil(3, dob="31/02/2015"), pupil(4)]

    batch = upload(officer, roll_csv(rows), establishment)

    assert batch.status == ImportStatus.INVALID
    assert batch.errors == [
        {"row": 4, "column": "dob", "message": "Date of birth: ‘31/02/2015’ is not a real date"}
    ]
    assert batch.content == ""
    with pytest.raises(services.ImportRefused):
        services.import_batch_confirm(actor=officer, batch=batch)
    assert snapshot() == before


def test_every_problem_is_reported_with_its_row_and_column(
    officer: User, establishment: Establishment
) -> None:
    upn = pupil(1)["upn"]
    wrong_letter = ("A" if upn[0] != "A" else "B") + upn[1:]
    rows = [
        pupil(1, upn=wrong_letter),
        pupil(2, forename=""),
        pupil(3, sex="X", postcode="NOT A POSTCODE"),
        pupil(4, dob=(timezone.localdate() + timedelta(days=1)).isoformat(), entry_date=""),
        pupil(5, year_group="15", entry_date="2010-01-01"),
        pupil(6, upn=pupil(7)["upn"].lower()),  # written differently, but valid
        pupil(7),  # the same UPN as the row before
        pupil(8),
    ]
    text = roll_csv(rows).rstrip("\r\n") + ",extra\r\n"  # a cell too many on the last row

    batch = upload(officer, text, establishment)

    problems = [(e["row"], e["column"]) for e in batch.errors]
    assert problems == [
        (2, "upn"),
        (3, "forename"),
        (4, "sex"),
        (4, "postcode"),
        (5, "dob"),
        (6, "year_group"),
        (6, "entry_date"),
        (8, "upn"),
        (9, ""),
    ]
    assert batch.summary["errors"] == 9
    assert "check letter" in batch.errors[0]["message"]
    assert "also on row 7" in batch.errors[7]["message"]


def test_dates_may_be_written_either_way_and_headings_loosely(
    officer: User, establishment: Establishment
) -> None:
    header = ROLL.header.replace("dob", "Date of Birth").replace("upn", " UPN ")
    rows = [pupil(1), pupil(2, dob="03/04/2015", sex="female", year_group="04")]
    text = roll_csv(rows).replace(ROLL.header, header, 1)

    batch = upload(officer, text, establishment)

    assert batch.status == ImportStatus.READY, batch.errors
    confirm(officer, batch)
    entry = RollEntry.objects.get(upn=pupil(2)["upn"])
    assert (entry.date_of_birth, entry.sex, entry.year_group) == (date(2015, 4, 3), "F", "4")


def test_the_roll_file_is_the_whole_roll(officer: User, establishment: Establishment) -> None:
    import_roll(officer, roll_csv([pupil(n) for n in range(1, 5)]), establishment)
    rows = [pupil(1), pupil(2, year_group="5", postcode="EX2 9ZZ"), pupil(3), pupil(7)]

    batch = upload(officer, roll_csv(rows), establishment)

    assert {k: batch.summary[k] for k in ("new", "changed", "left", "unchanged")} == {
        "new": 1,
        "changed": 1,
        "left": 1,
        "unchanged": 2,
    }
    assert batch.preview["changed"] == [
        [3, pupil(2)["upn"], "Cara Cotterill2", ["Postcode", "Year group"]]
    ]
    assert batch.preview["left"] == [[pupil(4)["upn"], "Esme Ellery4"]]
    confirm(officer, batch)
    on_roll = set(RollEntry.objects.values_list("upn", flat=True))
    assert on_roll == {pupil(n)["upn"] for n in (1, 2, 3, 7)}
    assert RollEntry.objects.get(upn=pupil(2)["upn"]).year_group == "5"


def test_importing_the_same_file_twice_changes_nothing(
    officer: User, establishment: Establishment, authority: Authority
) -> None:
    child = make_child(authority, upn=pupil(2)["upn"])
    open_case(authority, officer, child=child, owner=officer)
    text = roll_csv([pupil(n) for n in range(1, 30)])
    import_roll(officer, text, establishment)
    before = snapshot()

    again = upload(officer, text, establishment)

    assert again.status == ImportStatus.READY
    assert [again.summary[k] for k in ("new", "changed", "left", "alerts")] == [0, 0, 0, 0]
    assert again.summary["unchanged"] == 29
    assert confirm(officer, again).status == ImportStatus.APPLIED
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_way_leaves_the_database_as_before(
    officer: User, establishment: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_roll(officer, roll_csv([pupil(n) for n in range(1, 700)]), establishment)
    before = snapshot()
    rows = [pupil(n, year_group="5") for n in range(100, 1400)]  # 99 left, 600 changed, 700 new
    batch = upload(officer, roll_csv(rows), establishment)
    written: list[int] = []

    def stop_after_first_chunk(done: int) -> None:
        written.append(done)
        if len(written) == 2:
            raise RuntimeError(f"disk full while writing {pupil(150)['upn']}")

    monkeypatch.setattr(apply, "checkpoint", stop_after_first_chunk)
    batch = confirm(officer, batch)

    assert written == [99, 599]  # the leavers and 500 changes were written, then it stopped
    assert batch.status == ImportStatus.FAILED
    assert batch.failure == work.FAILED_MESSAGE
    assert snapshot() == before
    failed = (
        AuditEvent.objects.filter(target_type="registers.importbatch", target_id=str(batch.pk))
        .order_by("seq")
        .last()
    )
    assert failed is not None and failed.payload["status"] == "failed"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_applying_changes_nothing_and_is_recovered_as_failed(
    officer: User, establishment: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_roll(officer, roll_csv([pupil(n) for n in range(1, 10)]), establishment)
    before = snapshot()
    batch = upload(officer, roll_csv([pupil(n) for n in range(5, 20)]), establishment)

    def killed(done: int) -> None:
        raise SystemExit(9)

    monkeypatch.setattr(apply, "checkpoint", killed)
    with pytest.raises(SystemExit):
        confirm(officer, batch)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLYING  # nobody was left to say it failed
    assert snapshot() == before
    assert runner.recover_stale() == 0  # not yet stale
    assert runner.recover_stale(now=timezone.now() + runner.STALE_AFTER * 2) == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.failure == runner.ABANDONED_MESSAGE
    assert snapshot() == before


def test_applying_refuses_when_the_roll_changed_after_the_preview(
    officer: User, establishment: Establishment
) -> None:
    first = upload(officer, roll_csv([pupil(1), pupil(2)]), establishment)
    second = upload(officer, roll_csv([pupil(1), pupil(3)]), establishment)
    confirm(officer, first)
    before = snapshot()

    second = confirm(officer, second)

    assert second.status == ImportStatus.FAILED
    assert second.failure == work.STALE_MESSAGE
    assert snapshot() == before


def test_a_batch_is_claimed_by_one_worker_only(
    officer: User, establishment: Establishment, settings: Any
) -> None:
    settings.CME_IMPORTS_RUN = "worker"
    batch = upload(officer, roll_csv([pupil(1)]), establishment)
    assert batch.status == ImportStatus.UPLOADED

    assert work.batch_move(batch.pk, ImportStatus.UPLOADED, ImportStatus.VALIDATING)
    assert not work.batch_move(batch.pk, ImportStatus.UPLOADED, ImportStatus.VALIDATING)
    assert not work.import_batch_validate(batch_id=batch.pk)  # the second worker gets nothing


def test_the_run_command_does_waiting_work_and_restarts_abandoned_checks(
    officer: User, establishment: Establishment, settings: Any, capsys: Any
) -> None:
    settings.CME_IMPORTS_RUN = "worker"
    waiting = upload(officer, roll_csv([pupil(1)]), establishment)
    abandoned = upload(officer, roll_csv([pupil(2)]), establishment)
    ImportBatch.objects.filter(pk=abandoned.pk).update(
        status=ImportStatus.VALIDATING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    call_command("imports", "run")

    assert "2 import(s) worked" in capsys.readouterr().out
    for batch in (waiting, abandoned):
        batch.refresh_from_db()
        assert batch.status == ImportStatus.READY
    services.import_batch_confirm(actor=officer, batch=waiting)
    call_command("imports", "run")
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.APPLIED


def test_a_child_with_an_open_case_who_appears_on_a_roll_raises_one_alert(
    officer: User, establishment: Establishment, authority: Authority, make_member: MakeMember
) -> None:
    owner = make_member(Role.CASEWORKER)
    by_upn = open_case(
        authority, officer, child=make_child(authority, upn=pupil(1)["upn"]), owner=owner
    )
    former = make_child(authority, forename="Zed", surname="Quill")
    FormerUPN.objects.create(child=former, upn=pupil(2)["upn"])
    by_former = open_case(authority, officer, child=former, stage=Stage.TRACKING)
    by_name = open_case(
        authority,
        officer,
        child=make_child(authority, forename="gita", surname=" fairweather3 "),
    )
    hidden = make_child(
        authority, forename="Jay", surname="Cotterill5", is_restricted=True, restriction_reason="x"
    )
    restricted = open_case(authority, officer, child=hidden)
    closed = open_case(authority, officer, child=make_child(authority, upn=pupil(6)["upn"]))
    closed.stage = Stage.CLOSED
    closed.save()
    # Dates of birth must match too for a match on names.
    rows = [
        pupil(1),
        pupil(2),
        pupil(3, forename="Gita", surname="Fairweather3", dob="2014-05-17"),
        pupil(5, forename="Jay", surname="Cotterill5", dob="2014-05-17"),
        pupil(6),
    ]

    batch = upload(officer, roll_csv(rows), establishment)
    assert batch.summary["alerts"] == 4
    batch = confirm(officer, batch)

    assert batch.summary["alerts"] == 4
    alerted = set(ImportAlert.objects.values_list("case_id", flat=True))
    assert alerted == {by_upn.pk, by_former.pk, by_name.pk, restricted.pk}
    task = Task.objects.get(case=by_upn, title=TASK_TITLE)
    assert (task.assigned_to, task.due_on) == (owner, timezone.localdate())
    event = CaseEvent.objects.filter(case=by_upn).first()
    assert event is not None and "Appeared on the roll of Meadow Lane Primary School" in (
        event.summary
    )
    hidden_event = CaseEvent.objects.filter(case=restricted).first()
    assert hidden_event is not None and "Meadow Lane" not in hidden_event.summary
    matched = {
        e.payload["case"]: e.payload["matched_on"]
        for e in AuditEvent.objects.filter(payload__kind="roll_alert")
    }
    assert matched == {
        by_upn.pk: "upn",
        by_former.pk: "former_upn",
        by_name.pk: "name",
        restricted.pk: "name",
    }

    # The next month's roll, with the same children still on it, raises nothing more.
    again = import_roll(officer, roll_csv([*rows, pupil(9)]), establishment)
    assert again.summary["alerts"] == 0
    assert ImportAlert.objects.count() == 4


def test_an_establishments_file_adds_and_changes_only_the_authoritys_own(
    officer: User, establishment: Establishment
) -> None:
    text = establishments_csv(
        [
            "990,2001,190001,Meadow Lane Primary School,maintained school,PRIMARY,Closed",
            "990,4001,,Riverside Academy,Academy,secondary,open",
            "990,4002,1456789,Hilltop PRU,pru,Not applicable,Open",
        ]
    )
    batch = upload(officer, text, None, kind=ImportKind.ESTABLISHMENTS)

    assert batch.status == ImportStatus.READY, batch.errors
    assert batch.preview["changed"] == [[2, "990/2001", "Meadow Lane Primary School", ["Open"]]]
    confirm(officer, batch)
    establishment.refresh_from_db()
    assert establishment.is_open is False
    hilltop = Establishment.objects.get(la_code="990", number="4002")
    assert (hilltop.kind, hilltop.phase, hilltop.urn) == (
        EstablishmentKind.PRU,
        Phase.NOT_APPLICABLE,
        "1456789",
    )
    assert upload(officer, text, None, kind=ImportKind.ESTABLISHMENTS).summary["changed"] == 0


def test_establishment_rows_for_other_areas_or_clashing_urns_are_errors(
    officer: User, establishment: Establishment
) -> None:
    text = establishments_csv(
        [
            "991,3001,,Elsewhere School,Academy,Primary,Open",
            "990,4001,190001,Riverside Academy,Academy,Secondary,Open",
            "990,4002,,Hilltop,Grammar,Primary,Maybe",
        ]
    )
    batch = upload(officer, text, None, kind=ImportKind.ESTABLISHMENTS)

    assert batch.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [
        (2, "la_code"),
        (3, "urn"),
        (4, "type"),
        (4, "status"),
    ]
    assert "Meadow Lane Primary School (990/2001)" in batch.errors[1]["message"]
    assert not Establishment.objects.filter(number__in=["3001", "4001", "4002"]).exists()


def test_audit_events_and_logs_carry_no_personal_data(
    officer: User,
    establishment: Establishment,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [pupil(n) for n in range(1, 5)]
    batch = import_roll(officer, roll_csv(rows), establishment)
    imported = AuditEvent.objects.get(action=AuditAction.IMPORTED)
    assert imported.target_id == str(batch.pk)
    assert imported.payload == {
        "kind": "roll",
        "establishment": establishment.pk,
        "new": 4,
        "changed": 0,
        "left": 0,
        "unchanged": 0,
        "rows": 4,
        "alerts": 0,
    }

    def broken(done: int) -> None:
        raise ValueError(f"bad value {rows[0]['upn']} {rows[0]['surname']}")

    monkeypatch.setattr(apply, "checkpoint", broken)
    with caplog.at_level(logging.INFO):
        confirm(officer, upload(officer, roll_csv(rows[:2]), establishment))
    trail = json.dumps([e.payload for e in AuditEvent.objects.all()])
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ValueError" in logged
    for p in rows:
        for value in (p["upn"], p["surname"], p["address"]):
            assert value not in trail and value not in logged


def test_a_confirmed_or_cancelled_import_cannot_be_confirmed_again(
    officer: User, establishment: Establishment
) -> None:
    batch = import_roll(officer, roll_csv([pupil(1)]), establishment)
    with pytest.raises(services.ImportRefused):
        services.import_batch_confirm(actor=officer, batch=batch)
    ready = upload(officer, roll_csv([pupil(2)]), establishment)
    services.import_batch_cancel(actor=officer, batch=ready)
    ready.refresh_from_db()
    assert ready.status == ImportStatus.CANCELLED and ready.content == ""
    with pytest.raises(services.ImportRefused):
        services.import_batch_confirm(actor=officer, batch=ready)


def test_a_roll_is_imported_only_for_an_establishment_in_the_authoritys_area(
    officer: User, other_authority: Authority
) -> None:
    elsewhere = Establishment.objects.create(
        la_code=other_authority.la_code,
        number="3001",
        name="Far School",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.PRIMARY,
    )
    with pytest.raises(services.ImportRefused):
        upload(officer, roll_csv([pupil(1)]), elsewhere)


@pytest.fixture
def two_thousand() -> Iterator[str]:
    yield roll_csv([pupil(n) for n in range(1, 2001)])


def test_a_two_thousand_pupil_roll_is_checked_and_applied_in_few_queries(
    officer: User,
    establishment: Establishment,
    two_thousand: str,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(30):
        batch = upload(officer, two_thousand, establishment)
    # Bulk writes: SQLite takes 83 roll entries a statement (999 parameters), so 25 inserts.
    with django_assert_max_num_queries(60):
        batch = confirm(officer, batch)
    assert batch.status == ImportStatus.APPLIED
    assert RollEntry.objects.filter(establishment=establishment).count() == 2000


@pytest.mark.django_db(transaction=True)
def test_by_default_the_work_runs_in_a_background_thread_after_the_upload_commits(
    officer: User, establishment: Establishment, settings: Any
) -> None:
    settings.CME_IMPORTS_RUN = "thread"
    membership = officer.membership
    assert membership is not None

    def wait_for(batch: ImportBatch) -> None:
        # No query here until the thread is done: the tests' shared in-memory SQLite database
        # refuses a table another connection is reading at once (a file database waits instead).
        for thread in threading.enumerate():
            if thread.name == f"import-{batch.pk}":
                thread.join(timeout=30)
        batch.refresh_from_db()

    text = roll_csv([pupil(1), pupil(2)])
    batch = services.import_batch_create(
        actor=officer,
        authority=membership.authority,
        kind=ImportKind.ROLL,
        establishment=establishment,
        text=text,
        rows=2,
    )
    runner.dispatch(batch.pk)
    wait_for(batch)
    assert batch.status == ImportStatus.READY

    services.import_batch_confirm(actor=officer, batch=batch)
    runner.dispatch(batch.pk)
    wait_for(batch)
    assert batch.status == ImportStatus.APPLIED
    assert RollEntry.objects.count() == 2
