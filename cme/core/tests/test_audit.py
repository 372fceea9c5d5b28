"""The audit trail: what is recorded, that it is chained, and that tampering is caught."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cme.accounts.models import Authority, Role
from cme.core import audit
from cme.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def record_three(authority: Authority) -> list[AuditEvent]:
    return [
        audit.record(
            action=AuditAction.UPDATED,
            target=authority,
            authority=authority,
            payload={"fields": ["name"], "n": n},
        )
        for n in range(3)
    ]


@contextmanager
def guard_lifted() -> Iterator[None]:
    """Tampering as a database owner could: with the PostgreSQL trigger switched off."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
        try:
            yield
        finally:
            if postgres:
                cursor.execute(
                    "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only"
                )


def verify_output(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_events_are_numbered_and_linked_in_order(authority: Authority) -> None:
    first, second, third = record_three(authority)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert "The audit trail is intact: 3 events checked." in verify_output()


def test_it_records_the_target_authority_and_payload(authority: Authority) -> None:
    event = audit.record(
        action=AuditAction.CREATED,
        target=authority,
        authority=authority,
        payload={"la_code": "990"},
    )
    event.refresh_from_db()
    assert (event.target_type, event.target_id) == ("accounts.authority", str(authority.pk))
    assert event.authority_id == authority.pk
    assert event.payload == {"la_code": "990"}
    assert event.request_id.startswith("process-")


def test_verify_detects_an_edited_event(authority: Authority) -> None:
    _, second, _ = record_three(authority)
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = %s WHERE id = %s",
            [AuditAction.VIEWED.value, second.pk],
        )
    with pytest.raises(CommandError, match="altered"):
        verify_output()
    result = audit.verify()
    assert result.problems == ["event 2 has been changed since it was recorded"]


def test_verify_detects_a_deleted_event_in_the_middle(authority: Authority) -> None:
    _, second, _ = record_three(authority)
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [second.pk])
    result = audit.verify()
    assert not result.ok
    assert "events 2 to 2 are missing" in result.problems
    assert "event 3 does not follow the event before it" in result.problems


def test_verify_detects_the_latest_event_deleted(authority: Authority) -> None:
    *_, third = record_three(authority)
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [third.pk])
    result = audit.verify()
    assert result.problems == ["the trail should end at event 3 but ends at event 2"]


def test_an_event_rolls_back_with_the_change_it_records(authority: Authority) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action=AuditAction.UPDATED, target=authority, authority=authority)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0
    assert audit.verify().ok


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE core_auditevent SET action = 'viewed'", "DELETE FROM core_auditevent"],
)
def test_postgresql_refuses_to_change_or_delete_events(
    authority: Authority, statement: str
) -> None:
    record_three(authority)
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 3


def test_managers_see_their_own_authoritys_events_only(
    make_member: Any, client_for: Any, authority: Authority, other_authority: Authority
) -> None:
    manager = make_member(Role.CME_MANAGER)
    audit.record(action=AuditAction.UPDATED, target=authority, authority=authority)
    audit.record(action=AuditAction.UPDATED, target=other_authority, authority=other_authority)
    response = client_for(manager).get("/audit/")
    assert response.status_code == 200
    seen = {(e.authority_id, e.target_id) for e in response.context["page"].object_list}
    assert (authority.pk, str(authority.pk)) in seen
    assert all(authority_id == authority.pk for authority_id, _ in seen)


def test_the_audit_list_filters_by_action_and_date(
    make_member: Any, client_for: Any, authority: Authority
) -> None:
    manager = make_member(Role.CME_MANAGER)
    audit.record(action=AuditAction.CREATED, target=authority, authority=authority)
    audit.record(action=AuditAction.UPDATED, target=authority, authority=authority)
    client = client_for(manager)
    response = client.get("/audit/", {"action": "created"})
    assert [e.action for e in response.context["page"].object_list] == ["created"]
    response = client.get("/audit/", {"date_from": "1/1/2000", "date_to": "2/1/2000"})
    assert list(response.context["page"].object_list) == []


def test_the_audit_list_takes_the_same_queries_for_many_events(
    make_member: Any, client_for: Any, authority: Authority, django_assert_max_num_queries: Any
) -> None:
    manager = make_member(Role.CME_MANAGER)
    client = client_for(manager)
    for _ in range(60):
        audit.record(action=AuditAction.UPDATED, target=authority, authority=authority)
    with django_assert_max_num_queries(12):
        assert client.get("/audit/").status_code == 200


def test_a_manager_can_check_the_trail_and_the_check_is_recorded(
    make_member: Any, client_for: Any, authority: Authority
) -> None:
    manager = make_member(Role.CME_MANAGER)
    client = client_for(manager)  # signing in is itself an event
    record_three(authority)
    response = client.post("/audit/verify/")
    assert response.status_code == 200
    assert b"The audit trail is intact" in response.content
    latest = AuditEvent.objects.order_by("-seq").first()
    assert latest is not None and latest.action == AuditAction.AUDIT_VERIFIED
    assert latest.payload == {"ok": True, "checked": 4, "problems": 0}


@pytest.mark.parametrize(
    "role",
    [
        Role.CME_OFFICER,
        Role.CASEWORKER,
        Role.SCHOOL_USER,
        Role.PARTNER,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    ],
)
def test_only_managers_may_read_the_trail(make_member: Any, client_for: Any, role: Role) -> None:
    client = client_for(make_member(role))
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/verify/").status_code == 403


def test_the_application_cannot_change_or_delete_events(authority: Authority) -> None:
    event, *_ = record_three(authority)
    event.action = AuditAction.VIEWED
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.VIEWED)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert audit.verify().ok


def _rewrite_from(seq: int, payload: dict[str, Any]) -> None:
    """What someone who can write every row could do: change an event, then recompute every later
    hash and the head so that the chain agrees with itself again."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS_HASH
    with guard_lifted(), connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.payload = payload
            event.prev_hash = prev
            event.hash = audit._digest(event)
            cursor.execute(
                "UPDATE core_auditevent SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(event.payload), event.prev_hash, event.hash, event.pk],
            )
            prev = event.hash
        cursor.execute("UPDATE core_auditchainhead SET hash = %s", [prev])


def test_a_head_kept_outside_catches_a_chain_rewritten_from_the_start(
    authority: Authority, tmp_path: Any
) -> None:
    record_three(authority)
    out = StringIO()
    call_command("audit", "head", stdout=out)
    anchors = tmp_path / "anchors.txt"
    anchors.write_text("# kept by the records manager\n" + out.getvalue(), encoding="utf-8")
    seq, digest = out.getvalue().split()
    assert (int(seq), digest) == audit.head() == (3, AuditEvent.objects.get(seq=3).hash)
    assert "1 earlier head(s) matched" in verify_output("--anchors", str(anchors))

    _rewrite_from(2, {"fields": ["name"], "n": 99})

    assert audit.verify().ok  # consistent with itself…
    with pytest.raises(CommandError, match="altered"):  # …but not with what was kept outside
        verify_output("--anchors", str(anchors))
    assert audit.verify([(3, digest)]).problems == [
        "event 3 is not the event recorded as the head then"
    ]


def test_an_anchor_past_the_end_of_the_trail_is_reported(authority: Authority) -> None:
    record_three(authority)
    assert audit.verify([(7, "a" * 64)]).problems == [
        "event 7, recorded as the head earlier, is no longer in the trail"
    ]


def test_a_malformed_anchors_file_is_refused_with_its_line(
    authority: Authority, tmp_path: Any
) -> None:
    anchors = tmp_path / "anchors.txt"
    anchors.write_text("3 abc\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: expected an event number"):
        verify_output("--anchors", str(anchors))
