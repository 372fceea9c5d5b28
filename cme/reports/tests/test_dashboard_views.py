"""The dashboard, "how we count", CSV downloads and the termly report pages."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from cme.accounts.models import Authority, Role
from cme.core.models import AuditAction, AuditEvent
from cme.reports import views
from cme.reports.models import DashboardSnapshot
from cme.reports.tests.dashboard_world import TODAY, dashboard_world

pytestmark = pytest.mark.django_db

PAGES = ["/reports/", "/reports/how-we-count/", "/reports/termly/"]


@pytest.fixture(autouse=True)
def _fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = timezone.make_aware(datetime(TODAY.year, TODAY.month, TODAY.day, 9, 30))
    monkeypatch.setattr(views, "_now", lambda: moment)


@pytest.fixture
def manager_client(make_member: Any, client_for: Any) -> Any:
    return client_for(make_member(Role.CME_MANAGER))


@pytest.mark.parametrize("role", [r for r in Role if r != Role.CME_MANAGER])
def test_only_cme_managers_may_see_the_reports(
    make_member: Any, client_for: Any, role: Role
) -> None:
    client = client_for(make_member(role))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/reports/dashboard/by-sex.csv").status_code == 403
    assert client.post("/reports/termly/xlsx/", {"term": "2025-summer"}).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client: Any) -> None:
    for url in PAGES:
        assert client.get(url).status_code == 302


def test_the_dashboard_shows_each_figure_with_as_at_table_chart_and_how_we_count(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    page = manager_client.get("/reports/").content.decode()
    assert "as at 09:30 on 15 November 2026" in page
    assert "Children missing education now, by stage" in page
    assert page.count('role="img"') >= 7
    # The table comes before its chart.
    assert page.index("Children missing education now, by sex: table") < page.index(
        'id="chart-by-sex-title"'
    )
    assert 'href="/reports/how-we-count/#by-sex"' in page
    assert 'href="/cases/?stage=tracking"' in page
    # Figures only: no child's name or reference reaches the page.
    assert "Child" not in page.replace("Children", "")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_the_dashboard_is_a_fixed_number_of_queries(
    manager_client: Any,
    authority: Authority,
    other_authority: Authority,
    django_assert_num_queries: Any,
) -> None:
    dashboard_world(authority, other_authority)
    manager_client.get("/reports/")  # warm the session; the day's figures are worked out
    # Session, user, membership, second factor (4); the kept figures (1); the user's model
    # permissions for the case-list links (2); the session's idle timer (3).
    with django_assert_num_queries(10):
        assert manager_client.get("/reports/").status_code == 200
    # Working them out again: the figures: missing now, vulnerable groups, months, closures later
    # undone, case counts, follow-up tasks, pace determined, pace moved (8); places: the
    # establishments and their current figures (2); the Lost Pupil Database's activity (1);
    # keeping them: a savepoint, the row locked, updated, the savepoint released (4); besides the
    # request's own (7).
    with django_assert_num_queries(22):
        assert manager_client.post("/reports/dashboard/refresh/").status_code == 302
    dashboard_world(authority, other_authority)
    with django_assert_num_queries(22):
        assert manager_client.post("/reports/dashboard/refresh/").status_code == 302
    with django_assert_num_queries(10):
        assert manager_client.get("/reports/").status_code == 200


def test_the_figures_are_kept_until_worked_out_again_and_never_from_an_earlier_day(
    manager_client: Any,
    authority: Authority,
    other_authority: Authority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dashboard_world(authority, other_authority)

    def missing_now() -> str:
        page = manager_client.get("/reports/")
        return str(page.context["summary"].figure.rows[0].values[0])

    assert missing_now() == "4"
    dashboard_world(authority, other_authority)  # four more children missing now
    assert missing_now() == "4"
    assert "as at 09:30 on 15 November 2026" in manager_client.get("/reports/").content.decode()
    later = timezone.make_aware(datetime(TODAY.year, TODAY.month, TODAY.day, 11, 5))
    monkeypatch.setattr(views, "_now", lambda: later)
    assert manager_client.get("/reports/").context["as_at"].hour == 9  # kept, not worked out
    response = manager_client.post("/reports/dashboard/refresh/")
    assert response["Location"] == "/reports/"
    assert missing_now() == "8"
    assert "as at 11:05 on 15 November 2026" in manager_client.get("/reports/").content.decode()
    # The CSV gives the figures the page shows.
    rows = list(
        csv.reader(
            io.StringIO(manager_client.post("/reports/dashboard/summary.csv").content.decode())
        )
    )
    assert rows[1] == ["Children missing education now", "8"]
    # A new day: the kept figures are yesterday's, so they are worked out on the first view.
    next_day = later + timedelta(days=1)
    monkeypatch.setattr(views, "_now", lambda: next_day)
    page = manager_client.get("/reports/")
    assert page.context["as_at"].date() == next_day.date()
    kept = DashboardSnapshot.objects.get(authority=authority)
    assert timezone.localtime(kept.made_at) == next_day
    # Another authority's figures are its own.
    assert not DashboardSnapshot.objects.filter(authority=other_authority).exists()


def test_the_daily_clock_and_the_command_work_every_authoritys_figures_out(
    authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    call_command("tick", stdout=io.StringIO())
    kept = {s.authority_id: s for s in DashboardSnapshot.objects.all()}
    assert set(kept) == {authority.pk, other_authority.pk}
    summary = kept[authority.pk].figures["summary"]
    assert summary["rows"][0]["label"] == "Children missing education now"
    first = kept[authority.pk].made_at
    out = io.StringIO()
    call_command("report", "dashboard", "--authority", authority.la_code, stdout=out)
    assert "worked out for 990" in out.getvalue()
    assert DashboardSnapshot.objects.get(authority=authority).made_at > first
    with pytest.raises(CommandError, match="No authority has the LA code '999'"):
        call_command("report", "dashboard", "--authority", "999")
    with pytest.raises(CommandError, match="needs --census-date"):
        call_command("report", "dfe-return", "--authority", "990", "--out", "x.csv")


def test_figures_kept_in_another_shape_are_worked_out_again(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    moment = views._now()
    DashboardSnapshot.objects.create(authority=authority, made_at=moment, figures={"rows": []})
    page = manager_client.get("/reports/")
    assert page.status_code == 200
    assert page.context["summary"].figure.rows[0].values[0] == 4
    assert "summary" in DashboardSnapshot.objects.get(authority=authority).figures


def test_a_refresh_is_for_managers_and_by_post_only(
    make_member: Any, client_for: Any, manager_client: Any
) -> None:
    assert manager_client.get("/reports/dashboard/refresh/").status_code == 405
    officer = client_for(make_member(Role.CME_OFFICER))
    assert officer.post("/reports/dashboard/refresh/").status_code == 403
    assert not DashboardSnapshot.objects.exists()


def test_a_figure_downloads_as_csv_and_is_audited(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    response = manager_client.post("/reports/dashboard/by-sex.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="cme-by-sex-990-2026-11-15.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Sex", "Children"], ["Female", "2"], ["Male", "1"], ["Not known", "1"]]
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.payload["figure"] == "by-sex"
    assert event.authority_id == authority.pk
    assert manager_client.post("/reports/dashboard/nothing.csv").status_code == 404
    assert manager_client.get("/reports/dashboard/by-sex.csv").status_code == 405


def test_the_csv_escapes_formulas() -> None:
    from cme.reports.charts import figure_csv
    from cme.reports.dashboard import Figure, Row

    text = figure_csv(Figure("x", "X", "", ("=Name", "Count"), [Row("+1", (3,))]))
    assert text == "'=Name,Count\n'+1,3\n"


def test_the_termly_page_team_and_members_versions(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    team = manager_client.get("/reports/termly/?term=2025-summer")
    assert team.status_code == 200
    assert team.context["term"].label == "Summer term 2026"
    assert "fewer than 5" not in team.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()
    members = manager_client.get("/reports/termly/?term=2025-summer&version=members")
    assert "fewer than 5" in members.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.payload == {"report": "termly", "term": "2025-summer", "format": "print"}


def test_the_termly_page_defaults_to_the_last_term_and_refuses_unknown_terms(
    manager_client: Any,
) -> None:
    # As at 15 November 2026 (autumn term 2026), the last finished term is summer 2026.
    assert manager_client.get("/reports/termly/").context["term"].code == "2025-summer"
    response = manager_client.get("/reports/termly/?term=1999-autumn")
    assert response.status_code == 200
    assert "Choose a term from the list" in response.content.decode()


def test_the_termly_xlsx_is_suppressed_and_audited(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    response = manager_client.post("/reports/termly/xlsx/", {"term": "2025-summer"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="cme-termly-report-990-2025-summer.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [v for row in sheet.iter_rows(values_only=True) for v in row]
    assert "fewer than 5" in values
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.payload["format"] == "xlsx"


def test_a_user_who_may_not_see_cases_gets_the_figures_without_links(
    authority: Authority, other_authority: Authority
) -> None:
    from cme.reports import snapshots

    dashboard_world(authority, other_authority)
    kept = snapshots.dashboard_kept(authority, views._now())
    linked = [row.link for figure in kept.board.figures for row in figure.rows if row.link]
    assert "/cases/?stage=tracking" in linked
    bare = snapshots.without_links(kept.board)
    assert not any(row.link for figure in [bare.summary, *bare.figures] for row in figure.rows)
    assert [f.rows[0].values for f in bare.figures] == [
        f.rows[0].values for f in kept.board.figures
    ]
