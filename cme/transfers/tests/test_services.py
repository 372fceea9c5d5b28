"""Upload, preview, import and export services: the rules every page, command and API call
shares."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

from cme.accounts.models import Role
from cme.cases.models import Case, CaseEvent, Source, Stage
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Address, Child, FormerUPN
from cme.children.upn import make_upn
from cme.core.models import AuditAction, AuditEvent
from cme.transfers import exports, hooks, services
from cme.transfers.ctf import read_ctf, validate_ctf
from cme.transfers.models import CtfExport, CtfExportGrant, CtfUpload, PupilOutcome
from cme.transfers.tests.factories import ctf_bytes, pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def manager(make_member: Any) -> Any:
    return make_member(Role.CME_MANAGER)


def store(officer: Any, authority: Any, content: bytes, **kwargs: Any) -> CtfUpload:
    return services.ctf_upload_store(
        actor=officer, authority=authority, content=content, **kwargs
    ).upload


# -- Upload --------------------------------------------------------------------------------------


def test_a_readable_file_is_stored_with_its_header_once(officer: Any, authority: Any) -> None:
    content = ctf_bytes([pupil(1), pupil(2)])
    first = services.ctf_upload_store(actor=officer, authority=authority, content=content)
    again = services.ctf_upload_store(actor=officer, authority=authority, content=content)
    assert first.created and not again.created
    assert again.upload.pk == first.upload.pk
    upload = first.upload
    assert (upload.source_lea, upload.source_estab, upload.destination) == (
        "990",
        "2001",
        "unknown",
    )
    assert upload.pupil_count == 2
    assert len(upload.sha256) == 64 and bytes(upload.content) == content
    assert CtfUpload.objects.count() == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<CTfile><Header/>&lol2;</CTfile>"""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,dob\nA,2015-01-01\n", "not XML"),
        (BILLION_LAUGHS, "DTD or entity"),
        (b'<?xml version="1.0"?><Invoice><Total>3</Total></Invoice>', "not a CTF"),
    ],
)
def test_refused_files_are_not_kept(
    officer: Any, authority: Any, content: bytes, reason: str
) -> None:
    with pytest.raises(services.TransferRefused, match=reason):
        store(officer, authority, content)
    assert not CtfUpload.objects.exists()


def test_a_file_over_the_cap_is_refused(
    officer: Any, authority: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = ctf_bytes([pupil(1)])
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", len(content) - 1)
    with pytest.raises(services.TransferRefused, match="larger than"):
        store(officer, authority, content)
    assert not CtfUpload.objects.exists()


def test_a_school_may_only_upload_its_own_files(
    officer: Any, authority: Any, establishment: Any
) -> None:
    with pytest.raises(services.TransferRefused, match="neither from nor to your school"):
        store(
            officer,
            authority,
            ctf_bytes([pupil(1)], source=("801", "2000")),
            establishment=establishment,
        )
    ours = store(officer, authority, ctf_bytes([pupil(1)]), establishment=establishment)
    assert ours.establishment == establishment


# -- Preview and import --------------------------------------------------------------------------


def test_a_lost_pupil_becomes_a_child_with_a_tracking_case(
    officer: Any, authority: Any, establishment: Any
) -> None:
    upload = store(officer, authority, ctf_bytes([pupil(1)]))
    plans = services.ctf_preview(upload=upload).plans
    assert [p.outcome for p in plans] == [PupilOutcome.CREATED]
    assert plans[0].opens_case
    assert not Child.objects.exists(), "a preview changes nothing"

    summary = services.ctf_import(actor=officer, upload=upload)

    assert (summary.created, summary.matched, summary.cases_opened) == (1, 0, 1)
    child = Child.objects.get()
    assert child.upn == make_upn("990", "2001", 19, 1)
    assert child.addresses.get(is_current=True).postcode == "EX1 2AB"
    carer = child.carers.get()
    assert carer.has_parental_responsibility and carer.relationship == "mother"
    case = Case.objects.get(child=child)
    assert case.stage == Stage.TRACKING and case.source == Source.CTF
    assert case.last_placement == establishment
    assert case.last_attended_on == date(2026, 2, 20)
    assert AuditEvent.objects.filter(action=AuditAction.IMPORTED, target_id=str(upload.pk)).exists()


def test_importing_twice_changes_nothing(officer: Any, authority: Any) -> None:
    upload = store(officer, authority, ctf_bytes([pupil(1), pupil(2)]))
    services.ctf_import(actor=officer, upload=upload)
    counts = (Child.objects.count(), Case.objects.count(), Address.objects.count())
    again = services.ctf_import(actor=officer, upload=upload)
    assert again.already_imported and again.created == 2
    # The same file uploaded again is the same upload: still nothing new.
    same = store(officer, authority, bytes(upload.content))
    services.ctf_import(actor=officer, upload=same)
    assert (Child.objects.count(), Case.objects.count(), Address.objects.count()) == counts


def test_a_known_child_is_matched_by_upn_and_enriched_not_duplicated(
    officer: Any, authority: Any
) -> None:
    child = make_child(authority, upn=make_upn("990", "2001", 19, 1))
    case = open_case(authority, officer, child, last_attended_on=date(2026, 1, 5))
    upload = store(officer, authority, ctf_bytes([pupil(1)]))
    plan = services.ctf_preview(upload=upload).plans[0]
    assert plan.outcome == PupilOutcome.MATCHED_UPN and plan.child == child
    assert plan.open_case == case and not plan.opens_case

    services.ctf_import(actor=officer, upload=upload)

    assert Child.objects.count() == 1
    case.refresh_from_db()
    assert case.last_attended_on == date(2026, 2, 20)
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, summary__contains=upload.reference).exists()
    # The file's address joins the history; the record's current address is not replaced.
    assert child.addresses.filter(postcode="EX1 2AB", is_current=False).exists()
    assert child.carers.count() == 0


def test_a_known_child_is_matched_by_a_former_upn(officer: Any, authority: Any) -> None:
    old = make_upn("990", "2001", 15, 9)
    child = make_child(authority, upn="")
    FormerUPN.objects.create(child=child, upn=old)
    upload = store(officer, authority, ctf_bytes([pupil(1, upn="", former_upns=(old,))]))
    services.ctf_import(actor=officer, upload=upload)
    assert Child.objects.count() == 1


def test_a_known_child_without_upn_is_matched_by_the_engine(officer: Any, authority: Any) -> None:
    child = make_child(
        authority, forename="Rosalind", surname="Thistlewoodb", date_of_birth=date(2013, 2, 2)
    )
    open_case(authority, officer, child)
    upload = store(officer, authority, ctf_bytes([pupil(1)]))
    plan = services.ctf_preview(upload=upload).plans[0]
    assert plan.outcome == PupilOutcome.MATCHED_ENGINE
    assert plan.child == child and plan.probability is not None and plan.probability > 0.5
    services.ctf_import(actor=officer, upload=upload)
    child.refresh_from_db()
    assert Child.objects.count() == 1
    assert child.upn == make_upn("990", "2001", 19, 1)


def test_a_pupil_with_a_known_destination_gets_no_case(officer: Any, authority: Any) -> None:
    upload = store(officer, authority, ctf_bytes([pupil(1)], dest=("802", "3001")))
    summary = services.ctf_import(actor=officer, upload=upload)
    assert summary.created == 1 and summary.cases_opened == 0
    assert not Case.objects.exists()


def test_a_wrong_check_letter_is_warned_about(officer: Any, authority: Any) -> None:
    good = make_upn("990", "2001", 19, 1)
    wrong = ("A" if good[0] != "A" else "B") + good[1:]
    upload = store(officer, authority, ctf_bytes([pupil(1, upn=wrong)]))
    plan = services.ctf_preview(upload=upload).plans[0]
    assert "check letter" in plan.upn_problem
    services.ctf_import(actor=officer, upload=upload)
    assert Child.objects.get().upn == "", "an invalid UPN is not stored"


def test_the_clock_hears_of_a_school_ctf(
    officer: Any, authority: Any, establishment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[dict[str, Any]] = []
    monkeypatch.setattr(hooks, "ctf_left_school", lambda **kw: heard.append(kw))
    upload = store(officer, authority, ctf_bytes([pupil(1)]))
    services.ctf_import(actor=officer, upload=upload)
    assert heard == [
        {
            "authority": authority,
            "upn": make_upn("990", "2001", 19, 1),
            "source_lea": "990",
            "source_estab": "2001",
            "establishment": establishment,
            "sent_on": min(date(2026, 3, 2), timezone.localdate()),
            "destination": "unknown",
            "actor": officer,
        }
    ]


# -- Export --------------------------------------------------------------------------------------


def _case_with_record(authority: Any, officer: Any, establishment: Any, **child: Any) -> Case:
    kid = make_child(authority, upn=make_upn("990", "2001", 18, 4), **child)
    Address.objects.create(
        child=kid, line1="3 Quarry Row", town="Exton", postcode="EX4 4QQ", is_current=True
    )
    kid.carers.create(full_name="Miriam Pemberton", relationship="mother", phone="07700 900222")
    return open_case(
        authority, officer, kid, last_placement=establishment, last_attended_on=date(2026, 2, 1)
    )


def _pupil_in(content: bytes) -> Any:
    ctf = read_ctf(io.BytesIO(content))
    assert not ctf.errors
    return ctf.header, ctf.pupils[0]


def test_an_export_is_valid_recorded_and_audited(
    officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case_with_record(authority, officer, establishment)
    exported = exports.ctf_export(actor=officer, case=case, dest_lea="802", dest_estab="3001")
    assert validate_ctf(io.BytesIO(exported.content)) == []
    header, read = _pupil_in(exported.content)
    assert (header.source_lea, header.source_estab) == ("990", "2001")
    assert (header.dest_lea, header.dest_estab) == ("802", "3001")
    assert read.upn == case.child.upn and read.surname == "Pemberton"
    assert read.addresses[0].postcode == "EX4 4QQ"
    assert read.school_history[0].estab == "2001"
    assert read.last_attendance_date == date(2026, 2, 1)
    export = CtfExport.objects.get()
    assert export.sha256 and not export.location_withheld and export.exported_by == officer
    assert CaseEvent.objects.filter(case=case, summary__startswith="Common transfer file").exists()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED, target_id=str(export.pk)).exists()


@pytest.mark.parametrize(
    ("lea", "estab", "kind"), [("XXX", "XXXX", "unknown"), ("MMM", "MMMM", "abroad")]
)
def test_export_to_unknown_or_abroad(
    officer: Any, authority: Any, establishment: Any, lea: str, estab: str, kind: str
) -> None:
    case = _case_with_record(authority, officer, establishment)
    exported = exports.ctf_export(actor=officer, case=case, dest_lea=lea, dest_estab=estab)
    header, _ = _pupil_in(exported.content)
    assert header.destination == kind
    assert exported.export.destination == kind


def test_a_restricted_child_is_refused_without_a_grant(
    officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case_with_record(
        authority, officer, establishment, is_restricted=True, restriction_reason="Refuge"
    )
    with pytest.raises(services.ExportRefused, match="restricted"):
        exports.ctf_export(actor=officer, case=case, dest_lea="802", dest_estab="3001")
    assert not CtfExport.objects.exists()
    refusal = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert refusal.payload["refused"] == "restricted_no_grant"


def test_a_granted_restricted_export_withholds_location_once(
    officer: Any, manager: Any, authority: Any, establishment: Any
) -> None:
    case = _case_with_record(
        authority, officer, establishment, is_restricted=True, restriction_reason="Refuge"
    )
    with pytest.raises(services.ExportRefused, match="CME manager"):
        exports.ctf_export_grant_add(actor=officer, case=case, reason="The new school asked")
    grant = exports.ctf_export_grant_add(actor=manager, case=case, reason="The new school asked")
    exported = exports.ctf_export(
        actor=officer, case=case, dest_lea="802", dest_estab="3001", grant_id=grant.pk
    )
    text = exported.content.decode()
    for withheld in ("EX4 4QQ", "Quarry", "07700", "SchoolHistory", "Meadow Lane", ">2001<"):
        assert withheld not in text
    header, read = _pupil_in(exported.content)
    assert read.upn == case.child.upn
    assert (header.source_lea, header.source_estab) == ("990", "0000")
    export = CtfExport.objects.get()
    assert export.location_withheld and export.grant == grant
    grant.refresh_from_db()
    assert grant.used_at is not None
    # The grant is spent: a second export is refused again.
    with pytest.raises(services.ExportRefused):
        exports.ctf_export(
            actor=officer, case=case, dest_lea="802", dest_estab="3001", grant_id=grant.pk
        )
    summaries = list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert not any("802" in s or "3001" in s for s in summaries)


def test_an_expired_grant_does_not_allow_an_export(
    officer: Any, manager: Any, authority: Any, establishment: Any
) -> None:
    case = _case_with_record(
        authority, officer, establishment, is_restricted=True, restriction_reason="Refuge"
    )
    grant = exports.ctf_export_grant_add(actor=manager, case=case, reason="The new school asked")
    CtfExportGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(services.ExportRefused):
        exports.ctf_export(actor=officer, case=case, dest_lea="XXX", dest_estab="XXXX")


def test_an_exported_file_reads_back_into_an_import(
    officer: Any, authority: Any, other_authority: Any, establishment: Any, make_member: Any
) -> None:
    case = _case_with_record(authority, officer, establishment)
    exported = exports.ctf_export(actor=officer, case=case, dest_lea="XXX", dest_estab="XXXX")
    elsewhere = make_member(Role.CME_OFFICER, of=other_authority)
    upload = store(elsewhere, other_authority, exported.content)
    services.ctf_import(actor=elsewhere, upload=upload)
    child = Child.objects.get(authority=other_authority)
    assert child.upn == case.child.upn and child.surname == "Pemberton"
    assert Case.objects.get(child=child).stage == Stage.TRACKING


def test_the_writer_output_is_schema_valid_xml(
    officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case_with_record(authority, officer, establishment)
    exported = exports.ctf_export(actor=officer, case=case, dest_lea="802", dest_estab="3001")
    root = etree.fromstring(exported.content)
    assert root.tag == "CTfile"


def test_the_clock_hears_of_an_export_from_a_school(
    officer: Any, authority: Any, establishment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[dict[str, Any]] = []
    monkeypatch.setattr(hooks, "ctf_left_school", lambda **kw: heard.append(kw))
    case = _case_with_record(authority, officer, establishment)
    exports.ctf_export(actor=officer, case=case, dest_lea="XXX", dest_estab="XXXX")
    assert len(heard) == 1
    assert heard[0]["establishment"] == establishment and heard[0]["upn"] == case.child.upn
    assert heard[0]["destination"] == "unknown" and heard[0]["sent_on"] == timezone.localdate()


def test_twins_in_one_file_stay_two_children(officer: Any, authority: Any) -> None:
    first = pupil(1)
    # Close enough for the engine to call them one child, as twins' names can be.
    twin_name = first.forename[:-1] + "e"
    twin = pupil(1, forename=twin_name, upn=make_upn("990", "2001", 19, 2))
    upload = store(officer, authority, ctf_bytes([first, twin]))
    summary = services.ctf_import(actor=officer, upload=upload)
    assert summary.created == 2 and summary.matched == 0
    assert set(Child.objects.values_list("forename", flat=True)) == {first.forename, twin_name}
