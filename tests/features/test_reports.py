"""Statistics: exact figures on a small hand-made data set, periods in local months,
organisation scoping, charts, the CSV export, bad input and no personal data."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.appointments.models import Appointment
from booking.audit.models import AuditEntry
from booking.catalogue.models import Service
from booking.counsellors.models import Counsellor
from booking.extensions import db
from booking.network.models import Location
from booking.reports import services
from booking.reports.figures import CHARTS
from booking.reports.services import Filters
from tests.conftest import ADMIN, COUNSELLOR_VSP, STAFF_MIGRA, STAFF_VSP
from tests.factories import create_appointment

EN = {"Accept-Language": "en"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECRET_NAME = "Erika Geheimnisvoll"
SECRET_EMAIL = "erika.geheim@example.org"


def _at(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _book(email: str, location: str, start: datetime, lead: timedelta, **fields) -> Appointment:
    counsellor = db.session.scalar(select(Counsellor).where(Counsellor.email == email))
    service = db.session.get(Service, fields.pop("service", "first-consultation"))
    return create_appointment(counsellor, db.session.get(Location, location), service, start,
                              created_at=start - lead, client_name=SECRET_NAME,
                              client_email=SECRET_EMAIL, **fields)


@pytest.fixture
def figures_data(demo):
    """vsp: 7 appointments in Dec 2026 and Jan 2027, plus one before and one after the default
    period; migra: 2 in December. Lead times (days, not cancelled): 2, 3, 5, 10, 20, 40."""
    vsp, migra = COUNSELLOR_VSP, "j.exempel@migra.example.org"
    day = timedelta(days=1)
    _book(vsp, "schwerin", _at(2026, 12, 1), 2 * day + timedelta(hours=23), status="attended",
          language_code="de", source="online")
    _book(vsp, "schwerin", _at(2026, 12, 2), 5 * day, status="attended", language_code="ru",
          channel="phone", source="desk")
    _book(vsp, "schwerin", _at(2026, 12, 3), 10 * day, status="no_show", language_code="ru")
    _book(vsp, "schwerin", _at(2027, 1, 5), 3 * day, status="attended", service="follow-up")
    _book(vsp, "schwerin", _at(2027, 1, 6), 36 * day, status="cancelled",
          cancelled_at=_at(2027, 1, 2))
    _book(vsp, "schwerin", _at(2027, 1, 7), 40 * day, status="attended", language_code="ar",
          is_interpreter_needed=True, channel="video", source="api")
    _book(vsp, "wismar", _at(2027, 1, 8), 20 * day, status="attended")
    _book(vsp, "schwerin", _at(2026, 1, 20), 4 * day, status="attended")  # before the period
    _book(vsp, "schwerin", _at(2027, 2, 3), 4 * day)  # upcoming, after the default period
    _book(migra, "rostock", _at(2026, 12, 1), 7 * day, status="attended")
    _book(migra, "rostock", _at(2026, 12, 2), 7 * day, status="no_show")
    db.session.commit()
    return demo


DEFAULT = Filters(date(2026, 2, 1), date(2027, 1, 1), "vsp")


def test_default_period_is_the_last_twelve_full_months():
    assert services.default_filters(date(2027, 2, 1)) == Filters(date(2026, 2, 1),
                                                                  date(2027, 1, 1))
    assert services.default_filters(date(2027, 1, 31)).first_month == date(2026, 1, 1)


def test_figures_of_a_small_data_set_are_exact(figures_data):
    months = services.breakdown(DEFAULT, "month")
    assert [row.key for row in months][-2:] == ["2026-12", "2027-01"] and len(months) == 12
    assert all(row.total == 0 for row in months[:-2])
    assert months[-2].counts == {"attended": 2, "no_show": 1}
    assert months[-1].counts == {"attended": 3, "cancelled": 1}
    assert months[-2].no_show_rate == pytest.approx(1 / 3) and months[-1].no_show_rate == 0
    assert months[0].no_show_rate is None

    interpreter = services.breakdown(DEFAULT, "interpreter")
    summary = services.summarise(months, interpreter)
    assert summary.total == 7
    assert summary.by_status == {"attended": 5, "no_show": 1, "cancelled": 1, "confirmed": 0}
    assert summary.no_show_rate == pytest.approx(1 / 6)
    assert (summary.interpreter, summary.interpreter_share) == (1, pytest.approx(1 / 6))

    lead = services.lead_times(DEFAULT)
    assert lead.count == 6 and lead.median_days == 7.5
    assert [n for _bucket, n in lead.buckets] == [1, 2, 1, 1, 1]

    def totals(dimension):
        return {row.key: row.total for row in services.breakdown(DEFAULT, dimension)}

    assert totals("location") == {"schwerin": 6, "Wismar": 1}
    assert totals("service") == {"first-consultation": 6, "follow-up": 1}
    assert totals("language") == {"de": 4, "ru": 2, "ar": 1}
    assert totals("channel") == {"in_person": 5, "phone": 1, "video": 1}
    assert totals("source") == {"online": 5, "desk": 1, "api": 1}


def test_the_whole_network_and_one_period(figures_data):
    network = Filters(date(2026, 2, 1), date(2027, 1, 1))
    summary = services.summarise(services.breakdown(network, "month"),
                                 services.breakdown(network, "interpreter"))
    assert (summary.total, summary.no_show_rate) == (9, pytest.approx(2 / 8))
    january = Filters(date(2027, 1, 1), date(2027, 1, 1), "vsp")
    assert [(r.key, r.total) for r in services.breakdown(january, "month")] == [("2027-01", 4)]
    assert services.lead_times(january).median_days == 20  # 3, 20, 40
    with_future = Filters(date(2027, 1, 1), date(2027, 2, 1), "vsp")
    assert services.breakdown(with_future, "month")[-1].counts == {"confirmed": 1}


def test_months_are_local_months(demo):
    """00:30 on 1 December in Berlin is 23:30 UTC on 30 November; likewise in summer time."""
    _book(COUNSELLOR_VSP, "schwerin", _at(2026, 11, 30, 23, 30), timedelta(days=3))
    _book(COUNSELLOR_VSP, "schwerin", _at(2026, 3, 31, 22, 30), timedelta(days=3))
    _book(COUNSELLOR_VSP, "schwerin", _at(2026, 3, 31, 21, 30), timedelta(days=3))
    db.session.commit()
    counts = {row.key: row.total for row in services.breakdown(DEFAULT, "month")}
    assert (counts["2026-03"], counts["2026-04"]) == (1, 1)
    assert (counts["2026-11"], counts["2026-12"]) == (0, 1)


def test_page_shows_the_figures_of_the_own_organisation(figures_data, sign_in):
    html = sign_in(STAFF_VSP).get("/staff/statistics", headers=EN).get_data(as_text=True)
    assert "February 2026 to January 2027" in html
    assert "16.7%" in html and "7.5 days" in html  # no-show rate, median lead time
    for name in CHARTS:
        assert f'src="/staff/statistics/chart/{name}.png?from=2026-02&amp;to=2027-01"' in html
    assert "IQ Servicestelle Rostock" not in html and 'id="organisation"' not in html
    assert SECRET_NAME not in html and SECRET_EMAIL not in html


def test_page_queries_do_not_grow_with_the_data(figures_data, sign_in, count_queries):
    client = sign_in(STAFF_VSP)
    client.get("/staff/statistics")
    before = len(count_queries)
    for n in range(30):
        _book(COUNSELLOR_VSP, "schwerin", _at(2026, 6, 1) + timedelta(hours=n),
              timedelta(days=n % 9 + 1), status="attended")
    db.session.commit()
    count_queries.clear()
    assert client.get("/staff/statistics").status_code == 200
    assert len(count_queries) <= before <= 20


@pytest.mark.parametrize("path", ["", "/chart/by_month.png", "/export.csv"])
def test_staff_cannot_ask_for_another_organisation(figures_data, sign_in, path):
    client = sign_in(STAFF_VSP)
    assert client.get(f"/staff/statistics{path}?organisation=migra").status_code == 404
    assert client.get(f"/staff/statistics{path}?organisation=nope").status_code == 404
    assert client.get(f"/staff/statistics{path}?organisation=vsp").status_code == 200
    assert sign_in(ADMIN).get(f"/staff/statistics{path}?organisation=nope").status_code == 404


def test_administrators_see_the_network_or_one_organisation(figures_data, sign_in):
    admin = sign_in(ADMIN)
    network = admin.get("/staff/statistics", headers=EN).get_data(as_text=True)
    assert 'id="organisation"' in network and "All organisations" in network
    assert "IQ Servicestelle Rostock" in network and "IQ Servicestelle Schwerin" in network
    assert "25%" in network  # 2 no-shows of 8
    migra = admin.get("/staff/statistics?organisation=migra", headers=EN).get_data(as_text=True)
    assert "IQ Servicestelle Rostock" in migra and "IQ Servicestelle Schwerin" not in migra
    assert "organisation=migra" in migra  # the charts and the export keep the filter
    assert SECRET_NAME not in network + migra


def test_counsellors_have_no_statistics(figures_data, sign_in):
    client = sign_in(COUNSELLOR_VSP)
    for path in ("", "/chart/by_month.png", "/export.csv"):
        assert client.get(f"/staff/statistics{path}").status_code == 403


@pytest.mark.parametrize("query", [
    "from=abc", "from=2026-13", "to=2026-00", "from=1999-12", "from=2027-01&to=2026-01",
    "from=2023-01&to=2027-01", "from=%00", "to=2026-01-01", "from=" + "9" * 500])
def test_bad_periods_are_form_errors_not_crashes(figures_data, sign_in, query):
    client = sign_in(STAFF_VSP)
    page = client.get(f"/staff/statistics?{query}", headers=EN)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'aria-invalid="true"' in html
    assert 'class="chart"' not in html
    assert client.get(f"/staff/statistics/chart/by_month.png?{query}").status_code == 422
    assert client.get(f"/staff/statistics/export.csv?{query}").status_code == 422


def test_the_longest_period_is_36_months(figures_data, sign_in):
    client = sign_in(STAFF_VSP)
    assert client.get("/staff/statistics?from=2024-02&to=2027-01").status_code == 200
    page = client.get("/staff/statistics?from=2024-01&to=2027-01", headers=EN)
    assert page.status_code == 422 and "at most 36 months" in page.get_data(as_text=True)


def test_every_chart_is_a_png(figures_data, sign_in):
    client = sign_in(ADMIN)
    for name in CHARTS:
        for query in ("", "?from=2025-01&to=2025-03", "?from=2024-02&to=2027-01"):
            response = client.get(f"/staff/statistics/chart/{name}.png{query}", headers=EN)
            assert response.status_code == 200, (name, query)
            assert response.mimetype == "image/png"
            assert response.data.startswith(PNG_SIGNATURE) and len(response.data) > 8000, name
    assert client.get("/staff/statistics/chart/nope.png").status_code == 404
    arabic = client.get("/staff/statistics/chart/by_service.png", headers={
        "Accept-Language": "ar"})
    assert arabic.status_code == 200 and arabic.data.startswith(PNG_SIGNATURE)


def _csv(response) -> list[dict]:
    assert response.data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_export_matches_the_page_and_is_audited(figures_data, sign_in):
    response = sign_in(STAFF_VSP).get("/staff/statistics/export.csv", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="statistics-2026-02-2027-01-vsp.csv"')
    rows = _csv(response)
    assert sum(int(row["count"]) for row in rows) == 7
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + int(row["count"])
    assert by_status == {"attended": 5, "no_show": 1, "cancelled": 1}
    assert {row["organisation"] for row in rows} == {"vsp"}
    assert {row["month"] for row in rows} == {"2026-12", "2027-01"}
    wismar = [row for row in rows if row["place_kind"] == "mobile"]
    assert [(r["location"], r["count"], r["status_label"]) for r in wismar] == [
        ("Wismar", "1", "Took place")]
    interpreted = [row for row in rows if row["interpreter"] == "1"]
    assert [(r["language"], r["channel"], r["source"]) for r in interpreted] == [
        ("ar", "video", "api")]
    assert SECRET_NAME not in response.data.decode("utf-8-sig")

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (entry.object_type, entry.actor, entry.organisation_id) == (
        "statistics", STAFF_VSP, "vsp")
    assert entry.details["period"] == "2026-02..2027-01"


def test_administrators_export_the_network(figures_data, sign_in):
    admin = sign_in(ADMIN)
    rows = _csv(admin.get("/staff/statistics/export.csv"))
    assert sum(int(row["count"]) for row in rows) == 9
    assert {row["organisation"] for row in rows} == {"vsp", "migra"}
    migra = _csv(admin.get("/staff/statistics/export.csv?organisation=migra"))
    assert sum(int(row["count"]) for row in migra) == 2


def test_migra_staff_see_only_migra(figures_data, sign_in):
    rows = _csv(sign_in(STAFF_MIGRA).get("/staff/statistics/export.csv"))
    assert {row["organisation"] for row in rows} == {"migra"}
    assert sum(int(row["count"]) for row in rows) == 2
