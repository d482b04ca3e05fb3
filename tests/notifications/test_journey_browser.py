"""A teenager signs up for a "confirm or release" workshop on a phone, receives the confirmation request by
e-mail (a real SMTP server), follows its one-click link without being logged in and sees the seat confirmed."""

import re
from datetime import timedelta

import pytest

from src.config import get_settings
from src.events import messages as event_messages
from src.events.tables import Registration
from src.timeutil import now_utc
from tests.events.conftest import new_event, soon, staff  # noqa: F401 - staff is a fixture
from tests.notifications.test_matrix_mail import deliver, read
from tests.support import browser_page, log_in_page, log_out, running_server

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


async def test_teen_signs_up_gets_the_request_and_confirms_with_one_click(staff, smtp):
    starts = soon(days=2)
    hours = int((starts - now_utc()).total_seconds() // 3600) - 2  # the seat must be confirmed within the next few hours
    event_id = await new_event(staff, title="Профессия: робототехник", starts_at=starts, confirm_hours_before=hours)
    async with running_server() as base_url, browser_page(viewport=PHONE) as page:
        await log_in_page(page, base_url, "teen@libspace.local")
        await page.goto(f"{base_url}/events/{event_id}")
        await page.get_by_role("button", name="Записаться").click()
        await page.get_by_test_id("ticket").wait_for()
        await log_out(page)
        assert await event_messages.confirmation_requests(now_utc()) == {"asked": 1}
        mails = [m for m in (await deliver(smtp))["teen@libspace.local"] if "Подтвердите" in m["Subject"]]
        (mail,) = mails
        link = re.search(re.escape(get_settings().base_url) + r"(/registrations/\d+/confirm/\S+)", read(mail)[0]).group(1)
        await page.goto(base_url + link)
        await page.get_by_role("heading", name="Место подтверждено").wait_for()
        assert "Профессия: робототехник" in await page.get_by_role("status").inner_text()
    assert (await Registration.select(Registration.confirmed_at).where(Registration.event == event_id).first())["confirmed_at"] is not None
