"""Details a person sees that an HTML check misses, found in the QA pass of issue 16 (headless Chromium)."""

import pytest

from tests.support import axe_problems, chromium, log_in_page, new_page, require_axe, running_server, scrolls_sideways

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


# each stacked cell's first grid column against the width its label needs in the label's own font
LABELS_FIT = """() => [...document.querySelectorAll('table.stack td[data-label]')].filter(td => td.checkVisibility()).map(td => {
  const before = getComputedStyle(td, '::before');
  const probe = document.createElement('span');
  probe.textContent = td.dataset.label;
  probe.style.cssText = `font:${before.font}; white-space:nowrap; position:absolute; visibility:hidden`;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  return [td.dataset.label, parseFloat(getComputedStyle(td).gridTemplateColumns), needed];
}).filter(([label, column, needed]) => column + 0.5 < needed)"""


# the parts of a stacked cell's value that fell into its label's column (a second tag went under the label)
UNDER_THE_LABEL = """() => [...document.querySelectorAll('table.stack td[data-label]')].filter(td => td.checkVisibility()).flatMap(td => {
  const column = td.getBoundingClientRect().left + parseFloat(getComputedStyle(td).gridTemplateColumns);
  return [...td.children].filter(c => c.tagName !== 'BR' && c.checkVisibility() && c.getBoundingClientRect().left < column - 1).map(c => `${td.dataset.label}: ${c.textContent.trim()}`);
})"""


async def test_stacked_table_labels_are_never_broken_inside_a_word_on_a_320_px_phone(browser, demo_events):
    """At 320 px «Мероприятие» came out as «Мероприя» over «тие» in the staff event list's cards, and the second
    tag of the profession fields' and the career passport's types went under the label (issue 16, point 2)."""
    async with running_server() as base_url, new_page(browser, {"width": 320, "height": 640}) as page:
        await log_in_page(page, base_url, "staff.chekhov@libspace.local")
        for path in ("/staff/events", "/staff/schools", "/guidance/fields"):
            await page.goto(base_url + path)
            assert await page.locator("table.stack td[data-label]").count(), path
            assert await page.evaluate(LABELS_FIT) == [], path
            assert await page.evaluate(UNDER_THE_LABEL) == [], path
        await page.goto(base_url + "/staff/events")  # the check-in link wrapped beside the "new event" button
        assert await page.get_by_test_id("checkin-link").evaluate("a => a.getClientRects().length") == 1


# the words of the timelines' zone names wider than their cell (then they break inside the word)
ZONE_WORDS_FIT = """() => [...document.querySelectorAll('.tl-zone')].filter(z => z.checkVisibility()).flatMap(zone => {
  const style = getComputedStyle(zone);
  const room = zone.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return zone.textContent.trim().split(/\\s+/).filter(word => {
    const probe = document.createElement('span');
    probe.textContent = word;
    probe.style.cssText = `font:${style.font}; white-space:nowrap; position:absolute; visibility:hidden`;
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width > room + 0.5;
  });
})"""


async def test_timeline_zone_names_keep_their_words_on_a_desktop(browser, demo):
    """The week view and the staff home showed «профконсультац» over «ий» at 1280 px (issue 16, point 12)."""
    async with running_server() as base_url, new_page(browser, {"width": 1280, "height": 900}) as page:
        await log_in_page(page, base_url, "staff.chekhov@libspace.local")
        for path in ("/staff", "/staff/branches/chekhov/schedule?view=week"):
            await page.goto(base_url + path)
            assert await page.locator(".tl-zone").count(), path
            assert await page.evaluate(ZONE_WORDS_FIT) == [], path


# the gap between a day's summary text and its note («· закрыто») in the week's list by day
SUMMARY_GAP = """() => [...document.querySelectorAll('.week-day > summary')].filter(s => s.querySelector('span') && s.checkVisibility()).map(summary => {
  const range = document.createRange(); range.selectNodeContents(summary.firstChild);
  const text = range.getBoundingClientRect(), note = summary.querySelector('span').getBoundingClientRect();
  return note.top >= text.bottom - 1 ? null : note.left - text.right;  // a note wrapped to the next line has no gap to keep
}).filter(gap => gap !== null)"""


async def test_the_week_list_keeps_the_space_before_its_note_on_a_phone(browser, demo):
    """«30 ноября, понедельник ·закрыто»: the summary is a flex box, which drops the space (issue 16 QA pass)."""
    async with running_server() as base_url, new_page(browser, PHONE_390) as page:
        await page.goto(f"{base_url}/branches/chekhov/week")
        gaps = await page.evaluate(SUMMARY_GAP)
        assert gaps and all(gap >= 3 for gap in gaps), gaps


async def test_survey_questions_sit_inside_their_box_on_a_phone(browser, demo):
    """A question of two lines sat astride its box's top border at 390 px (issue 16 QA pass, point 10)."""
    async with running_server() as base_url, new_page(browser, PHONE_390) as page:
        await page.goto(f"{base_url}/guidance/survey")
        outside = await page.evaluate("""() => [...document.querySelectorAll('.survey fieldset.question')].filter(box => {
          const legend = box.querySelector('legend').getBoundingClientRect(), frame = box.getBoundingClientRect();
          return legend.top < frame.top + 1 || legend.bottom > box.querySelector('label, input').getBoundingClientRect().top;
        }).length""")
        assert await page.locator(".survey fieldset.question").count() == 5 and outside == 0
        assert await page.get_by_role("group", name="Вопрос 1 из 25. Что бы вы выбрали?").count() == 1  # still the group's name


async def test_the_week_is_one_screen_on_a_desktop_and_days_one_by_one_on_a_phone(browser, demo):
    """Issue 16, point 12: zones as rows and the seven days as columns, each day's hours a track, on one screen."""
    require_axe()
    async with running_server() as base_url, new_page(browser, {"width": 1280, "height": 900}) as page:
        await log_in_page(page, base_url, "staff.chekhov@libspace.local")
        await page.goto(f"{base_url}/staff/branches/chekhov/schedule?view=week")
        grid = page.locator(".week-grid")
        assert await grid.is_visible() and not await page.locator(".week-days").is_visible()
        assert await page.locator(".wg-head .wg-day").count() == 7
        assert await page.locator(".week-grid [role=row]").count() == 1 + await page.locator(".week-grid [role=rowheader]").count()
        box = await grid.bounding_box()
        assert box["y"] + box["height"] <= 900 and not await scrolls_sideways(page)  # the whole week on the first screen
        assert await axe_problems(page) == []
        await page.set_viewport_size(PHONE_390)
        assert not await grid.is_visible() and await page.locator(".week-days").is_visible() and not await scrolls_sideways(page)
