"""Every page of every role, in the usual version and the three colour schemes of the version for the visually
impaired (very large font), on 320 and 390 px phones (issue 16, tests). Every role that can open a page checks it
in the usual version: no serious or critical axe finding (all the rules), nothing scrolls sideways, every action
at least 44x44 px. Each page is then loaded once in each colour scheme (the version's cookie; a scheme's styles do
not depend on the role): the text at least twice as large as in the usual version, no serious or critical axe
finding, nothing scrolls sideways, every action at least 44x44 px.

The pages come from the app's routes, so a new page is crawled without being listed here; a page whose address
needs an id or a query gets one in fill() (from the demo data, or from rows prepare() makes through the services:
a booking under way, a coming consultation, a family link, a closure, an access code), and anything that is no
page (files, redirects, signed links) is named in NOT_PAGES. One browser, one context per role."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from src.accounts import desk, families
from src.accounts.tables import Account, ReaderCard
from src.branches import admin as branches_admin
from src.events.tables import Event, Registration
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance.tables import AvailabilityException, Consultation, CounsellorAvailability, SurveyResponse
from src.rooms import bookings, rules as rooms_rules
from src.rooms import service as rooms_service
from src.rooms.constants import HOLDER_READER
from src.rooms.exceptions import BookingClash
from src.rooms.tables import Booking, Zone
from src.schools.tables import Programme, School, Teacher, VisitRequest
from src.timeutil import now_utc, today_in
from tests.conftest import ENGINE
from tests.events.conftest import principal
from tests.support import AXE_JS, axe_problems, chromium, log_in_page, require_axe, running_server, scrolls_sideways, small_targets

pytestmark = pytest.mark.browser

ROLES = {  # role: the demo account (None: an anonymous visitor), and the pages it crawls (None: all)
    "anonymous": (None, None),
    "reader": ("teen@libspace.local", None),
    "guardian": ("reader@libspace.local", ("/me/family",)),  # the family pages of a guardian with a linked child
    "teacher": ("teacher@libspace.local", None),
    "counsellor": ("counsellor@libspace.local", None),
    "staff": ("staff.chekhov@libspace.local", None),
    "admin": ("admin@libspace.local", None),
}
SCHEMES = {  # the version for the visually impaired at 200 % in each colour scheme: its cookie (src/web/vision.py)
    "black on white": "xlarge.bw.on.normal.normal",
    "white on black": "xlarge.wb.on.normal.normal",
    "dark blue on light blue": "xlarge.blue.on.normal.normal",
}
WIDTHS = (320, 390)

NOT_PAGES = {  # GET routes that show no page of their own
    "/favicon.ico", "/manifest.webmanifest", "/healthz", "/readyz", "/metrics",
    "/accessibility/settings", "/lang/{code:str}",  # switches that redirect back
    "/activate/{token:str}", "/password/reset/{token:str}", "/password/set/{token:str}", "/schools/join/{token:str}",
    "/registrations/{registration_id:int}/confirm/{expires:int}/{signature:str}", "/reminders/off/{account_id:int}/{signature:str}",
    "/unsubscribe/{category:str}/{account_id:int}/{signature:str}",  # signed links from mails
    "/me/data/export", "/staff/network/audit.csv", "/staff/stats/{dashboard:str}/download", "/staff/events/{event_id:int}/attendees.csv",
    "/staff/stats/annual/report",  # the annual form as a spreadsheet (the page /staff/stats/annual links to it)
    "/guidance/consultations/{consultation_id:int}/calendar.ics", "/me/bookings/{booking_id:int}/calendar.ics", "/schools/visits/{visit_id:int}/calendar.ics",
}
NOT_PAGE_PREFIXES = ("/api/", "/static/", "/feeds/", "/schema")


async def _id(query) -> int | None:
    row = await query.first()
    return next(iter(row.values())) if row else None


async def _account(email: str) -> int:
    return await _id(Account.select(Account.id).where(Account.email == email))


async def _booking_under_way(reader, actor) -> int:
    """The reader's booking of a Chekhov zone from the last slot boundary for about two hours (staff book it, so
    the opening hours do not matter at any time of day); the first zone free now."""
    for zone_id in [row["id"] for row in await Zone.select(Zone.id).where(Zone.branch.slug == "chekhov").order_by(Zone.id)]:
        branch, zone = await rooms_service.get_zone(zone_id)
        start = rooms_rules.snap(now_utc(), zone.rules.slot, branch.tz, up=False)
        end = start + timedelta(minutes=zone.rules.slot * max(1, 120 // zone.rules.slot))  # on the zone's grid
        reservation = bookings.Reservation(
            zone_id=zone.id, starts_at=start, ends_at=end, holder_kind=HOLDER_READER, holder_id=reader.id, override_hours=True, actor_id=actor.id,
        )
        try:
            return (await bookings.reserve(reservation)).bookings[0].id
        except BookingClash:
            continue
    raise AssertionError("every Chekhov zone is taken now: no booking under way for the crawl")


async def prepare() -> dict:
    """What the demo lacks, made through the services as people would: the reader's booking under way now, their
    coming consultation (and another free slot to book), their guardian's link to their card (the teenager agreed),
    a closure of the branch, and an access code issued at the desk for their card."""
    teen, staff, admin = [await principal(email) for email in ("teen@libspace.local", "staff.chekhov@libspace.local", "admin@libspace.local")]
    card = await ReaderCard.select(ReaderCard.card_number, ReaderCard.birth_date).where(ReaderCard.account == teen.id).first()
    counsellor = await _account("counsellor@libspace.local")
    tz = (await rooms_service.get_branch("chekhov")).tz
    today = today_in(tz)
    slots = [slot for slot in await guidance_availability.slots(today, today + timedelta(days=30), None, counsellor) if slot.starts_at > now_utc() + timedelta(days=2)]
    assert len(slots) >= 2, "the demo counsellor has no free slots in the coming month"
    consultation = await guidance_consultations.book(teen, counsellor, slots[0].starts_at)
    asked = await families.link_child(await principal("reader@libspace.local"), card["card_number"], card["birth_date"])
    await families.agree(teen, asked.agreement_code)
    closure, _change = await branches_admin.add_closure(admin, "chekhov", today + timedelta(days=200), None, "sanitary", "Санитарный день")
    _view, code = await desk.access_code(staff, card["card_number"])
    return {
        "under_way": await _booking_under_way(teen, staff), "consultation": consultation.id, "link": asked.link_id, "closure": closure, "code": code.id,
        "slot": urlencode({"counsellor": counsellor, "starts_at": slots[1].starts_at.astimezone(tz).isoformat()}),
    }


async def fill(made: dict) -> dict[str, str | None]:
    """An address for each route with parameters or a query, from the demo data and the rows prepare() made."""
    teen = await _account("teen@libspace.local")
    counsellor = await _account("counsellor@libspace.local")
    event = await _id(Event.select(Event.id).where((Event.branch.slug == "chekhov") & (Event.capacity.is_not_null())).order_by(Event.starts_at))
    zone = await _id(Zone.select(Zone.id).where(Zone.branch.slug == "chekhov").order_by(Zone.id))
    card = await _id(ReaderCard.select(ReaderCard.card_number).where(ReaderCard.account == teen))
    registration = await _id(Registration.select(Registration.id).where((Registration.reader == teen) & (Registration.status == "confirmed")))
    booking = await _id(Booking.select(Booking.id).where((Booking.holder == teen) & (Booking.ends_at > now_utc())))
    pending = await _id(Booking.select(Booking.id).where((Booking.status == "pending") & (Booking.zone.branch.slug == "chekhov")))
    consultation = await _id(Consultation.select(Consultation.id).where(Consultation.reader == teen))
    result = await _id(SurveyResponse.select(SurveyResponse.id).where(SurveyResponse.reader == teen))
    window = await _id(CounsellorAvailability.select(CounsellorAvailability.id).where(CounsellorAvailability.counsellor == counsellor))
    exception = await _id(AvailabilityException.select(AvailabilityException.id).where(AvailabilityException.counsellor == counsellor))
    visit = await _id(VisitRequest.select(VisitRequest.id).where(VisitRequest.status.is_in(["requested", "proposed"])).order_by(VisitRequest.id))
    school = await _id(School.select(School.slug).order_by(School.id))
    pending_teacher = await _id(Teacher.select(Teacher.account).where(Teacher.status == "pending"))
    staff = await _account("staff.chekhov@libspace.local")
    programme = await _id(Programme.select(Programme.id).order_by(Programme.id))
    dashboard = "events"
    return {
        # opened from another page with the query that page gives (a zone, a free slot, a programme)
        "/bookings/new": f"/bookings/new?zone={zone}",
        "/guidance/book": f"/guidance/book?{made['slot']}",
        "/schools/visits/new": programme and f"/schools/visits/new?programme={programme}",
        "/branches/{slug:str}": "/branches/chekhov",
        "/branches/{slug:str}/week": "/branches/chekhov/week",
        "/events/{event_id:int}": f"/events/{event}",
        "/zones/{zone_id:int}": f"/zones/{zone}",
        "/registrations/{registration_id:int}/cancel": registration and f"/registrations/{registration}/cancel",
        "/me/bookings/{booking_id:int}/cancel": booking and f"/me/bookings/{booking}/cancel",
        "/me/bookings/{booking_id:int}/end": f"/me/bookings/{made['under_way']}/end",
        "/me/family/{link_id:int}/unlink": f"/me/family/{made['link']}/unlink",
        "/guidance/consultations/{consultation_id:int}/cancel": f"/guidance/consultations/{made['consultation']}/cancel",
        "/guidance/counsellor/consultations/{consultation_id:int}": consultation and f"/guidance/counsellor/consultations/{consultation}",
        "/guidance/results/{result_id:int}": result and f"/guidance/results/{result}",
        "/guidance/counsellor/availability/{window_id:int}/delete": window and f"/guidance/counsellor/availability/{window}/delete",
        "/guidance/counsellor/exceptions/{exception_id:int}/delete": exception and f"/guidance/counsellor/exceptions/{exception}/delete",
        "/schools/visits/{visit_id:int}": visit and f"/schools/visits/{visit}",
        "/schools/visits/{visit_id:int}/cancel": visit and f"/schools/visits/{visit}/cancel",
        "/schools/visits/{visit_id:int}/decline": visit and f"/schools/visits/{visit}/decline",
        "/staff/bookings/{booking_id:int}/cancel": pending and f"/staff/bookings/{pending}/cancel",
        "/staff/bookings/{booking_id:int}/decline": pending and f"/staff/bookings/{pending}/decline",
        "/staff/branches/{slug:str}/blocks": "/staff/branches/chekhov/blocks",
        "/staff/branches/{slug:str}/closures": "/staff/branches/chekhov/closures",
        "/staff/branches/{slug:str}/closures/import": "/staff/branches/chekhov/closures/import",
        "/staff/branches/{slug:str}/closures/{closure_id:int}/delete": f"/staff/branches/chekhov/closures/{made['closure']}/delete",
        "/staff/branches/{slug:str}/schedule": "/staff/branches/chekhov/schedule",
        "/staff/events/{event_id:int}/attendees": f"/staff/events/{event}/attendees",
        "/staff/events/{event_id:int}/cancel": f"/staff/events/{event}/cancel",
        "/staff/events/{event_id:int}/edit": f"/staff/events/{event}/edit",
        "/staff/network/branches/{slug:str}": "/staff/network/branches/chekhov",
        "/staff/network/branches/{slug:str}/deactivate": "/staff/network/branches/chekhov/deactivate",
        "/staff/network/branches/{slug:str}/hours": "/staff/network/branches/chekhov/hours",
        "/staff/network/branches/{slug:str}/zones": "/staff/network/branches/chekhov/zones",
        "/staff/network/branches/{slug:str}/zones/new": "/staff/network/branches/chekhov/zones/new",
        "/staff/network/programmes/{programme_id:int}": programme and f"/staff/network/programmes/{programme}",
        "/staff/network/schools/{slug:str}": school and f"/staff/network/schools/{school}",
        "/staff/network/staff/{account_id:int}": f"/staff/network/staff/{staff}",
        "/staff/network/zones/{zone_id:int}": f"/staff/network/zones/{zone}",
        "/staff/network/zones/{zone_id:int}/deactivate": f"/staff/network/zones/{zone}/deactivate",
        "/staff/network/zones/{zone_id:int}/hours": f"/staff/network/zones/{zone}/hours",
        "/staff/readers/{card_number:str}": f"/staff/readers/{card}",
        "/staff/readers/{card_number:str}/access-code/{token_id:int}": f"/staff/readers/{card}/access-code/{made['code']}",
        "/staff/readers/{card_number:str}/guardians/{link_id:int}/unlink": f"/staff/readers/{card}/guardians/{made['link']}/unlink",
        "/staff/readers/{card_number:str}/block": f"/staff/readers/{card}/block",
        "/staff/readers/{card_number:str}/erase": f"/staff/readers/{card}/erase",
        "/staff/readers/{card_number:str}/replace": f"/staff/readers/{card}/replace",
        "/staff/stats/{dashboard:str}": f"/staff/stats/{dashboard}",
        "/staff/teachers/{account_id:int}/reject": pending_teacher and f"/staff/teachers/{pending_teacher}/reject",
    }


def page_routes(app) -> list[str]:
    paths = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if "GET" in (handler.http_methods or ()) and not route.path.startswith(NOT_PAGE_PREFIXES) and route.path not in NOT_PAGES:
                paths.add(route.path)
    return sorted(paths)


TEXT_SIZE_JS = """() => {
  // the font size most of the text in <main> is set in (the body text), and the smallest one shown
  const chars = new Map();
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const length = walker.currentNode.textContent.trim().length, element = walker.currentNode.parentElement;
    if (!length || !element.checkVisibility({visibilityProperty: true}) || element.closest('[role=img]')) continue;  // a chart's labels are its picture
    const size = parseFloat(getComputedStyle(element).fontSize);
    chars.set(size, (chars.get(size) || 0) + length);
  }
  const sizes = [...chars.keys()];
  return sizes.length ? {body: sizes.reduce((a, b) => chars.get(b) > chars.get(a) ? b : a), smallest: Math.min(...sizes)} : null;
}"""


async def _phone_problems(page) -> list[str]:
    """Sideways scrolling and actions under 44x44 px on both phones (the page stays at 320 px)."""
    problems = []
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 640})
        if await scrolls_sideways(page):
            problems.append(f"{width} px: scrolls sideways")
        problems += [f"{width} px: an action under 44x44 px: {target}" for target in await small_targets(page)]
    await page.set_viewport_size({"width": WIDTHS[0], "height": 640})
    return problems


async def _vision_problems(page, base_url: str, path: str) -> list[str]:
    """The page in each colour scheme of the version for the visually impaired (its cookie, then a fresh load):
    the body text and the smallest text at least twice the usual version's, everything _phone_problems checks,
    and every axe rule."""
    usual = await page.evaluate(TEXT_SIZE_JS)
    problems = []
    try:
        for scheme, cookie in SCHEMES.items():
            await page.context.add_cookies([{"name": "vision", "value": cookie, "url": base_url}])
            response = await page.goto(base_url + path)
            if response.status != 200:
                problems.append(f"{scheme}: answers {response.status}")
                continue
            if not await page.evaluate("name => document.documentElement.classList.contains(name)", f"vi-scheme-{cookie.split('.')[1]}"):
                problems.append(f"{scheme}: the cookie did not switch the version on (src/web/vision.py changed its format?)")
                continue
            large = await page.evaluate(TEXT_SIZE_JS)
            if usual and large:
                problems += [
                    f"{scheme}: the {what} text is {large[what]:g} px, not at least twice the usual {usual[what]:g} px"
                    for what in ("body", "smallest") if large[what] < 2 * usual[what] - 0.01
                ]
            problems += [f"{scheme} · {problem}" for problem in await _phone_problems(page)]
            problems += [f"{scheme}: {problem}" for problem in await axe_problems(page)]
    finally:
        await page.context.clear_cookies(name="vision")
    return problems


def _opened(response, page, path: str) -> bool:
    """The role may see the page: it answered 200 and did not send the visitor to log in."""
    return response.status == 200 and not (page.url.split("?")[0].endswith("/login") and path != "/login")


# pages, templates and styles do not depend on the engine; the crawl takes 5-7 1/2 minutes on 2 cores at a load of 12-15
# (101 pages, 320 page loads with axe by 7 roles and 303 in the colour schemes), so it runs once
@pytest.mark.skipif(ENGINE != "sqlite", reason="the crawl checks pages and styles, the same on either engine: it runs on SQLite")
async def test_every_page_of_every_role_in_every_version_on_phones(app, demo_events):
    """Every role checks every page it can open in the usual version (axe, phones, actions); the first role that
    opens a page also checks it in the three colour schemes; each role's header is checked with its menu open."""
    require_axe()
    addresses = await fill(await prepare())
    routes = page_routes(app)
    unknown = [path for path in routes if "{" in path and path not in addresses]
    assert not unknown, f"pages with parameters the crawl does not know: give each an address in fill() (or list it in NOT_PAGES): {unknown}"
    pages = [address for address in (addresses.get(path, path) for path in routes) if address]
    problems: list[str] = []
    checked: set[str] = set()
    async with chromium() as browser, running_server() as base_url:
        for role, (login, only) in ROLES.items():
            context = await browser.new_context(viewport={"width": WIDTHS[0], "height": 640}, locale="ru-RU")
            await context.add_init_script(path=str(AXE_JS))
            page = await context.new_page()
            page.set_default_timeout(15000)
            try:
                if login:
                    await log_in_page(page, base_url, login)  # lands on the role's home
                else:
                    await page.goto(base_url + "/")
                await page.locator("details.menu > summary").click()
                problems += [f"{role} · header with the menu open: {problem}" for problem in await axe_problems(page) + await small_targets(page)]
                for path in pages:
                    if only and not path.startswith(only):
                        continue
                    if not _opened(await page.goto(base_url + path), page, path):
                        continue  # not this role's page
                    where = f"{role} · {path}"
                    problems += [f"{where} · {problem}" for problem in await _phone_problems(page)]
                    problems += [f"{where}: {problem}" for problem in await axe_problems(page)]
                    if path not in checked:
                        checked.add(path)
                        problems += [f"{where} · {problem}" for problem in await _vision_problems(page, base_url, path)]
            finally:
                await context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert not set(pages) - checked, f"no role could open these pages (a wrong address in fill()?): {sorted(set(pages) - checked)}"
