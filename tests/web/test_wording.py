"""One date style in prose, durations in words, neutral wording, no empty headings (issue 16, item 9)."""

from datetime import timedelta

from src.i18n import fmt_ahead
from tests.events.conftest import fresh_catalogue, new_event, staff, soon  # noqa: F401 (fixtures)


def test_durations_are_words():
    assert fmt_ahead(timedelta(hours=168)) == "за неделю" and fmt_ahead(timedelta(hours=72)) == "за 3 дня"


async def test_event_pages_use_the_prose_date_style_and_drop_in_events_have_no_empty_sign_up_heading(client, staff):
    drop_in = await new_event(staff, title="Громкие чтения", category="reading_club", capacity=None, min_age=None, max_age=None, waitlist=False, starts_at=soon(3))
    page = await client.get(f"/events/{drop_in}")
    assert page.status_code == 200 and 'id="signup-h"' not in page.text
    from src.i18n import fmt_day_time
    from zoneinfo import ZoneInfo

    assert fmt_day_time(soon(3), ZoneInfo("Asia/Yakutsk")) in page.text  # "9 декабря, среда, 16:00"
    listing = await client.get("/events")
    assert fmt_day_time(soon(3), ZoneInfo("Asia/Yakutsk")) in listing.text


async def test_the_month_view_is_a_calendar_grid(client, staff):
    from datetime import date
    from zoneinfo import ZoneInfo

    from src.events.pages import month_weeks

    weeks = month_weeks(date(2026, 12, 1))  # December 2026 starts on a Tuesday
    assert weeks[0][:2] == [None, date(2026, 12, 1)] and weeks[-1][3] == date(2026, 12, 31) and all(len(w) == 7 for w in weeks)
    await new_event(staff, title="Громкие чтения", category="reading_club", min_age=None, max_age=None, starts_at=soon(3))
    month = await client.get("/events", params={"view": "month", "month": soon(3).astimezone(ZoneInfo("Asia/Yakutsk")).date().isoformat()[:7]})
    grid = month.text.split('data-testid="month-grid"', 1)[1].split("</table>", 1)[0]
    assert "Громкие чтения" in grid and grid.count("<tr>") >= 5


def test_quotes_inside_quotes_are_low_and_high():
    from markupsafe import Markup

    from src.i18n import gettext, nest_quotes, reset_language, set_language

    assert nest_quotes("Выставка «Клуб «Амурские страницы»» открыта") == "Выставка «Клуб „Амурские страницы“» открыта"
    assert nest_quotes("«а» и «б»") == "«а» и «б»" and nest_quotes("без «пары") == "без «пары"
    assert isinstance(nest_quotes(Markup("«a «b»»")), Markup)
    token = set_language("ru")
    try:
        text = gettext("The event «%(title)s» has moved. It is now on %(when)s.", title="Книжный клуб «Амурские страницы»", when="9 декабря")
    finally:
        reset_language(token)
    assert "«Книжный клуб „Амурские страницы“»" in text


async def test_pages_nest_quotes_too(client, demo):
    from tests.conftest import post_form

    await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    page = await client.get("/staff/readers", params={"q": "клуб «Амур»"})
    assert "«клуб „Амур“»" in page.text, page.text[-3000:]


def test_profession_types_have_one_name_and_one_dash_everywhere():
    """An event's tags (labels) and the survey's result (guidance content) name Klimov's types alike:
    «Человек – природа», not an em dash in one place and an en dash in the other (issue 16, point 9)."""
    from src.guidance import content
    from src.guidance.constants import TYPES
    from src.i18n import reset_language, set_language
    from src.labels import label

    token = set_language("ru")
    try:
        for code in TYPES:
            assert label(code) == content.type_text(code, "ru").name, code
            assert "—" not in label(code)
    finally:
        reset_language(token)
