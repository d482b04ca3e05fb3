"""The staff home over HTTP: a day of the person's branches (zones as a timeline, events, consultations), what
waits for them, the links; the week view as timelines; labels that do not clash (issue 16, item 12)."""

from datetime import timedelta

from tests.events.conftest import fresh_catalogue, new_event, staff, wednesday_afternoon, zone_id  # noqa: F401 (fixtures)
from tests.web.test_frame import log_in


async def test_the_staff_home_shows_the_day_as_a_timeline_and_what_waits(client, staff):
    starts = await wednesday_afternoon()
    await new_event(staff, title="Профессия: геолог", starts_at=starts, ends_at=starts + timedelta(hours=2), zone_id=await zone_id())
    await log_in(client, "staff.chekhov@libspace.local")
    home = await client.get(f"/staff?day={starts.date().isoformat()}")
    assert home.status_code == 200
    waiting = home.text.split('data-testid="waiting"', 1)[1].split("</section>", 1)[0]
    assert 'href="/staff/approvals"' in waiting and 'href="/staff/visits"' in waiting
    day = home.text.split('data-testid="staff-day"', 1)[1].split("</section>", 1)[0]
    assert "Профессия: геолог" in day and 'class="timeline"' in day and "Читальный зал" in day
    assert f"{starts.hour:02d}:00–{starts.hour + 2:02d}:00" in day  # on the zone's row with its times
    assert 'data-testid="staff-links"' in home.text
    today = await client.get("/staff?day=not-a-day")  # a bad day falls back to today
    assert today.status_code == 200 and "Сегодня" in today.text


async def test_the_week_view_is_a_timeline_per_day_and_labels_do_not_clash(client, staff):
    starts = await wednesday_afternoon()
    await new_event(staff, title="Профессия: геолог", starts_at=starts, ends_at=starts + timedelta(hours=2), zone_id=await zone_id())
    await log_in(client, "staff.chekhov@libspace.local")
    week = await client.get(f"/staff/branches/chekhov/schedule?day={starts.date().isoformat()}&view=week")
    assert week.status_code == 200 and week.text.count('class="timeline"') == 7 and "Профессия: геолог" in week.text
    assert 'class="week-grid"' in week.text and week.text.count('class="wg-day"') == 7 and "Неделя: Библиотека им. Чехова" in week.text  # the week on one screen
    assert "Броней нет." not in week.text
    assert ">Брони на подтверждение<" in week.text and ">Заявки<" not in week.text  # not to be mistaken for visit requests


async def test_each_role_lands_on_its_own_home(client, demo):
    from tests.conftest import post_form

    homes = {"staff.chekhov@libspace.local": "/staff", "teacher@libspace.local": "/schools", "counsellor@libspace.local": "/guidance/counsellor", "reader@libspace.local": "/me/card"}
    for login, home in homes.items():
        client.cookies.clear()
        answer = await post_form(client, "/login", {"login": login, "password": "libspace-demo"})
        assert answer.status_code == 303 and answer.headers["location"] == home, login
    card = await client.get("/me/card")  # the reader (last) sees the card with the next sign-ups
    assert 'data-testid="coming-signups"' in card.text
