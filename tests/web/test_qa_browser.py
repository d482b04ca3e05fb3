"""Details a person sees that an HTML check misses, found in the QA pass of issue 16 (headless Chromium)."""

import pytest

from tests.support import chromium, log_in_page, new_page, running_server

pytestmark = pytest.mark.browser
PHONE_390 = {"width": 390, "height": 844}
LANGUAGE_LOOK = "() => { const s = getComputedStyle(document.querySelector('header .lang')); return [s.textDecorationLine, s.fontWeight, s.color]; }"
# the gap between a label's text and its count in a flex link: where the text ends and the <strong> begins
LABEL_GAP = """() => [...document.querySelectorAll('.waiting a')].map(a => {
  const range = document.createRange(); range.selectNodeContents(a.firstChild);
  return a.querySelector('strong').getBoundingClientRect().left - range.getBoundingClientRect().right;
})"""


@pytest.fixture(scope="module")
async def browser():
    async with chromium() as shared:
        yield shared


async def test_language_switch_looks_the_same_logged_in_and_staff_counts_keep_their_space(browser, demo):
    async with running_server() as base_url, new_page(browser, PHONE_390) as page:
        await page.goto(f"{base_url}/events")
        guest = await page.evaluate(LANGUAGE_LOOK)  # a link for a guest
        await log_in_page(page, base_url, "staff.chekhov@libspace.local")
        await page.wait_for_url(f"{base_url}/staff")
        assert await page.evaluate(LANGUAGE_LOOK) == guest  # a form's button for a logged-in person, not underlined
        gaps = await page.evaluate(LABEL_GAP)  # "Брони на подтверждение: 1", not "…:1"
        assert len(gaps) == 2 and all(gap >= 3 for gap in gaps), gaps
