"""Every page of every role, in the usual version and the three colour schemes of the version for the visually
impaired (very large font), on 320 and 390 px phones: no serious or critical axe finding, nothing scrolls
sideways (issue 16, tests). The pages come from the app's routes, so a new page is crawled without being
listed here; a page whose address needs an id gets one from the demo data in FILL, and anything that is no
page (files, redirects, signed links) is named in NOT_PAGES. One browser, one context per role."""

from __future__ import annotations

import pytest

from src.accounts.tables import Account, ReaderCard
from src.events.tables import Event, Registration
from src.guidance.tables import AvailabilityException, Consultation, CounsellorAvailability, SurveyResponse
from src.rooms.tables import Booking, Zone
from src.schools.tables import Programme, School, Teacher, VisitRequest
from src.timeutil import now_utc
from tests.conftest import ENGINE
from tests.support import AXE_JS, axe_problems, chromium, log_in_page, require_axe, running_server, scrolls_sideways

pytestmark = pytest.mark.browser

ROLES = {  # role: the demo account (None: an anonymous visitor)
    "anonymous": None,
    "reader": "teen@libspace.local",
    "teacher": "teacher@libspace.local",
    "counsellor": "counsellor@libspace.local",
    "staff": "staff.chekhov@libspace.local",
    "admin": "admin@libspace.local",
}
VERSIONS = {  # the usual version, and the version for the visually impaired at 200 % in each colour scheme
    "usual": None,
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
    "/guidance/consultations/{consultation_id:int}/calendar.ics", "/me/bookings/{booking_id:int}/calendar.ics", "/schools/visits/{visit_id:int}/calendar.ics",
}
NOT_PAGE_PREFIXES = ("/api/", "/static/", "/feeds/", "/schema")


async def _id(query) -> int | None:
    row = await query.first()
    return next(iter(row.values())) if row else None


async def _account(email: str) -> int:
    return await _id(Account.select(Account.id).where(Account.email == email))


async def fill() -> dict[str, str | None]:
    """An address for each route with parameters, from the demo data (None: the demo has no such thing)."""
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
        # opened from another page with the query that page gives (a zone and time, a slot, a programme, a year)
        "/bookings/new": None, "/guidance/book": None, "/schools/visits/new": None, "/staff/stats/annual/report": None,
        "/branches/{slug:str}": "/branches/chekhov",
        "/branches/{slug:str}/week": "/branches/chekhov/week",
        "/events/{event_id:int}": f"/events/{event}",
        "/zones/{zone_id:int}": f"/zones/{zone}",
        "/registrations/{registration_id:int}/cancel": registration and f"/registrations/{registration}/cancel",
        "/me/bookings/{booking_id:int}/cancel": booking and f"/me/bookings/{booking}/cancel",
        "/me/bookings/{booking_id:int}/end": None,  # only while the booking is under way
        "/me/family/{link_id:int}/unlink": None,  # the demo links no family to the crawled reader
        "/guidance/consultations/{consultation_id:int}/cancel": None,  # the demo's consultation is over
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
        "/staff/branches/{slug:str}/closures/{closure_id:int}/delete": None,  # the demo's closures are weekly hours and holidays
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
        "/staff/readers/{card_number:str}/access-code/{token_id:int}": None,  # shown once, right after it is made
        "/staff/readers/{card_number:str}/guardians/{link_id:int}/unlink": None,  # the demo links no family through accounts
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


STYLE_RULES = ["color-contrast", "link-in-text-block", "scrollable-region-focusable"]  # the axe rules a colour scheme can break


async def _vision_problems(page) -> list[str]:
    """The version for the visually impaired is classes on <html> over the same page (src/web/vision.py): each
    colour scheme at 200 %, on both phones, without loading the page again; the rules a style can break."""
    problems = []
    for version, cookie in VERSIONS.items():
        if not cookie:
            continue
        font, scheme = cookie.split(".")[:2]
        await page.evaluate("classes => { document.documentElement.className = classes; }", f"vi vi-font-{font} vi-scheme-{scheme} vi-big")
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 800})
            if await scrolls_sideways(page):
                problems.append(f"{version} · {width} px: scrolls sideways")
        found = await page.evaluate(
            "async rules => (await axe.run(document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))",
            STYLE_RULES,
        )
        problems += [f"{version}: {item}" for item in found]
    await page.evaluate("() => { document.documentElement.className = ''; }")
    await page.set_viewport_size({"width": WIDTHS[0], "height": 640})
    return problems


# pages, templates and styles do not depend on the engine; the crawl takes 4-6 minutes, so it runs once
@pytest.mark.skipif(ENGINE != "sqlite", reason="the crawl checks pages and styles, the same on either engine: it runs on SQLite")
async def test_every_page_of_every_role_in_every_version_on_phones(app, demo_events):
    """Each page is checked in full (axe in the usual version, then the three colour schemes) by the first role
    that can open it; every other role that can open it checks that it does not scroll sideways; each role's
    header is checked with its menu open."""
    require_axe()
    addresses = await fill()
    routes = page_routes(app)
    unknown = [path for path in routes if "{" in path and path not in addresses]
    assert not unknown, f"pages with parameters the crawl does not know: give each an address in fill() (or list it in NOT_PAGES): {unknown}"
    pages = [address for address in (addresses.get(path, path) for path in routes) if address]
    problems: list[str] = []
    checked: set[str] = set()
    async with chromium() as browser, running_server() as base_url:
        for role, login in ROLES.items():
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
                problems += [f"{role} · header with the menu open: {problem}" for problem in await axe_problems(page)]
                for path in pages:
                    response = await page.goto(base_url + path)
                    if response.status != 200 or (page.url.split("?")[0].endswith("/login") and path != "/login"):
                        continue  # not this role's page
                    where = f"{role} · {path}"
                    for width in WIDTHS:
                        await page.set_viewport_size({"width": width, "height": 640})
                        if await scrolls_sideways(page):
                            problems.append(f"{where} · {width} px: scrolls sideways")
                    await page.set_viewport_size({"width": WIDTHS[0], "height": 640})
                    if path in checked:
                        continue
                    checked.add(path)
                    problems += [f"{where}: {problem}" for problem in await axe_problems(page)]
                    problems += [f"{where} · {problem}" for problem in await _vision_problems(page)]
            finally:
                await context.close()
    assert not problems, "\n".join(problems)
    assert not set(pages) - checked, f"no role could open these pages (a wrong address in fill()?): {sorted(set(pages) - checked)}"
