"""Pure parts of the statistics (small groups in files, charts, periods) and the engine's age arithmetic."""

from datetime import date

from src.events.tables import Event
from src.stats import charts
from src.stats.periods import Period, this_month
from src.stats.report import Column, Report, cells, file_name
from src.stats.sql import dialect


def test_small_groups_are_hidden_in_files_only_and_only_for_people():
    report = Report("t", "T", (Column("name", "Name", kind="text"), Column("people", "People", people=True), Column("events", "Events")),
                    [{"name": "=cmd", "people": 2, "events": 1}, {"name": "b", "people": 0, "events": 2}, {"name": "c", "people": 2, "events": 2, "_people": False}])
    assert cells(report) == [["=cmd", "<3", 1], ["b", 0, 2], ["c", 2, 2]]
    assert cells(report, suppress=False)[0][1] == 2
    assert file_name("events", ["chekhov", "dialog"], date(2026, 1, 1), date(2026, 1, 31), "csv") == "libspace-events-chekhov-dialog-2026-01-01-2026-01-31.csv"
    assert file_name("events", [], date(2026, 1, 1), date(2026, 1, 31), "xlsx") == "libspace-events-network-2026-01-01-2026-01-31.xlsx"


def test_charts_are_labelled_images_with_escaped_text():
    report = Report("t", "T", (Column("name", "Name", kind="text"), Column("value", "V")), [{"name": "<b>", "value": 3}], chart="value")
    svg = str(charts.bars(report))
    assert svg.startswith("<svg") and 'role="img"' in svg and "&lt;b&gt;" in svg and "<b>" not in svg


def test_periods():
    assert this_month(date(2028, 2, 10)) == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert Period(date(2028, 2, 29), date(2028, 3, 1)).a_year_before() == Period(date(2027, 2, 28), date(2027, 3, 1))


async def test_age_limits_on_29_february_agree_with_python(database):
    d = dialect()
    day = d.day_literal(date(2028, 2, 29))
    rows = await Event.raw(f"SELECT {d.born_by(day, 15)} AS born15, {d.born_by(day, 16)} AS born16, {d.age(day, d.day_literal(date(2013, 3, 1)))} AS age")
    assert str(rows[0]["born15"])[:10] == "2013-02-28" and str(rows[0]["born16"])[:10] == "2012-02-29"
    assert rows[0]["age"] == 14  # born on 1 March 2013: 15 only on 1 March 2028


async def test_a_past_closure_counts_as_closed_hours_in_utilisation(demo):
    """Closures that ended more than a week ago are no open hours of a past period (issue 15)."""
    from datetime import timedelta

    from piccolo.engine import engine_finder

    from src.branches.tables import Closure
    from src.db import write_transaction
    from src.rooms import service as rooms_service
    from src.stats import service as stats_service
    from src.stats.zones import zone_rows
    from tests import dates

    today = dates.today()
    period = Period(today - timedelta(days=40), today - timedelta(days=20))
    from src.accounts.permissions import Principal

    admin = Principal(id=0, role="admin", full_name="admin")
    chosen = await stats_service.scope(admin, ["chekhov"])
    before = {row["zone_id"]: row["open_hours"] for row in await zone_rows(chosen, period)}
    assert before and all(hours > 0 for hours in before.values())
    branch = chosen.branches[0]
    async with write_transaction(engine_finder()):
        await Closure.insert(Closure(branch=branch.id, starts_on=period.start, ends_on=period.end, kind="repairs", created_at=dates.now()))
        await rooms_service.changed()
    after = {row["zone_id"]: (row["open_hours"], row["utilisation"]) for row in await zone_rows(chosen, period)}
    assert set(after) == set(before) and all(hours == 0 and share == 0 for hours, share in after.values())
