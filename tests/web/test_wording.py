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
