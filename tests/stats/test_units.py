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
