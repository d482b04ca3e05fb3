"""Import closures (public holidays, sanitary days) into a branch from an iCalendar file or URL.

:func:`parse_closures` is pure: bytes in, closures or a clear list of problems out. :func:`import_closures`
writes all of them in one transaction or none. A closure already on the branch's calendar for the same days
is skipped, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from piccolo.engine import engine_finder

from src import bounds, outbound
from src.branches import service as branches_service
from src.branches.constants import CLOSURE_KINDS
from src.branches.tables import Closure
from src.exceptions import FieldError, Invalid
from src.i18n import _
from src.timeutil import now_utc

MAX_BYTES = 5 * 1024 * 1024  # the guarded client's default cap too
log = logging.getLogger("libspace.imports")
MAX_CLOSURES = 1000
MAX_DAYS = 366  # one closure may not cover more than a year
RULE_HORIZON_DAYS = 2 * 366  # a yearly rule (a holiday) is expanded this far ahead


@dataclass(frozen=True, slots=True)
class ClosureDraft:
    starts_on: date
    ends_on: date
    kind: str
    reason: str


@dataclass
class ImportReport:
    added: list[ClosureDraft] = field(default_factory=list)
    already: list[ClosureDraft] = field(default_factory=list)
    past: list[ClosureDraft] = field(default_factory=list)


def guess_kind(summary: str) -> str:
    text = summary.casefold()
    if "санитар" in text or "sanitary" in text:
        return "sanitary"
    if "ремонт" in text or "repair" in text:
        return "repair"
    return "holiday"


def _day(value: date | datetime, tz: ZoneInfo) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(tz) if value.tzinfo else value).date()
    return value


def _span(event, tz: ZoneInfo) -> tuple[date, date]:
    """The closed days of one VEVENT: DTEND is exclusive for dates (RFC 5545 §3.6.1), inclusive end for times."""
    start = event.decoded("dtstart")
    if "dtend" in event:
        end = event.decoded("dtend")
    elif "duration" in event:
        end = start + event.decoded("duration")
    else:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValueError(_("its dates cannot be read (DTSTART %(start)s)", start=str(event.get("dtstart", ""))[:40]))
    first = _day(start, tz)
    if isinstance(end, datetime):
        last = _day(end - timedelta(microseconds=1), tz) if end > start else first
    else:
        last = end - timedelta(days=1)
    return first, max(first, last)


def _instances(event, first: date, last: date, today: date) -> list[tuple[date, date]]:
    if "rrule" not in event:
        return [(first, last)]
    from dateutil.rrule import rrulestr

    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=datetime.combine(first, datetime.min.time()))
    length = last - first
    horizon = datetime.combine(today + timedelta(days=RULE_HORIZON_DAYS), datetime.min.time())
    skipped = {_day(value.dt, ZoneInfo("UTC")) for prop in _as_list(event.get("exdate")) for value in prop.dts}
    result = []
    for start in rule.between(datetime.combine(today - timedelta(days=366), datetime.min.time()), horizon, inc=True):
        if start.date() not in skipped:
            result.append((start.date(), start.date() + length))
        if len(result) > MAX_CLOSURES:
            break
    return result


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_closures(data: bytes, timezone: str, today: date, kind: str | None = None) -> list[ClosureDraft]:
    """Every closure in an iCalendar file, or :class:`Invalid` naming each problem (then nothing is imported)."""
    import icalendar

    if len(data) > MAX_BYTES:
        raise Invalid.one("file", _("The file is larger than %(n)s MB", n=MAX_BYTES // (1024 * 1024)))
    if kind is not None and kind not in CLOSURE_KINDS:
        raise Invalid.one("kind", _("Unknown kind of closure"))
    text = data.lstrip(b"\xef\xbb\xbf").strip()
    if not text.upper().startswith(b"BEGIN:VCALENDAR"):
        raise Invalid.one("file", _("This is not an iCalendar (.ics) file: it must begin with BEGIN:VCALENDAR"))
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as error:  # noqa: BLE001 - icalendar raises ValueError, KeyError, IndexError...
        raise Invalid.one("file", _("The iCalendar file could not be read: %(error)s", error=str(error)[:200]))
    tz = ZoneInfo(timezone)
    drafts: list[ClosureDraft] = []
    problems: list[FieldError] = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        summary = bounds.clean_line(str(event.get("summary", ""))).strip()
        where = _("event %(n)s (%(summary)s)", n=number, summary=summary or "—")
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        try:
            if "dtstart" not in event:
                raise ValueError(_("it has no start date (DTSTART)"))
            first, last = _span(event, tz)
            spans = _instances(event, first, last, today)
        except Exception as error:  # noqa: BLE001 - a bad date or rule in one event is reported with its number
            problems.append(FieldError("file", f"{where}: {error}"))
            continue
        latest = bounds.SCHEDULE.dates(today)[1]
        for first, last in spans:
            if last > latest:
                problems.append(FieldError("file", f"{where}: {bounds.window_message(bounds.SCHEDULE, *bounds.SCHEDULE.dates(today))}"))
                break
            if (last - first).days >= MAX_DAYS:
                problems.append(FieldError("file", _("%(where)s: a closure of more than a year is not a closure", where=where)))
                break
            drafts.append(ClosureDraft(first, last, kind or guess_kind(summary), (summary or _("Closed"))[:300]))
    if problems:
        raise Invalid(detail=_("The file has errors; nothing was imported"), errors=problems[:50])
    if not drafts:
        raise Invalid.one("file", _("The file has no events to import"))
    if len(drafts) > MAX_CLOSURES:
        raise Invalid.one("file", _("Too many closures in one file (at most %(n)s)", n=MAX_CLOSURES))
    return sorted(set(drafts), key=lambda draft: (draft.starts_on, draft.ends_on, draft.reason))


async def fetch(url: str) -> bytes:
    """Download an .ics from an address a person gave, through the guarded client (``src/outbound.py``):
    public addresses only, a deadline, a size cap, at most a few imports at once. Every refusal and failure
    is the same message; the reason is logged."""
    with outbound.import_slot():
        try:
            return await outbound.fetch(url, accept="text/calendar, */*;q=0.5")
        except outbound.OutboundError as error:
            log.warning("closure import from an address refused or failed: %s", error)
            raise Invalid.one("url", outbound.public_message()) from None


async def import_closures(branch_slug: str, data: bytes, kind: str | None = None) -> ImportReport:
    """Add the file's closures to a branch in one transaction; skip the past and what is already there."""
    from src.db import write_transaction
    from src.timeutil import today_in

    branch = await branches_service.get_branch(branch_slug)
    today = today_in(branch.timezone)
    drafts = parse_closures(data, branch.timezone, today, kind)
    report = ImportReport()
    async with write_transaction(engine_finder()):
        rows = await Closure.select(Closure.starts_on, Closure.ends_on).where((Closure.branch == branch.id) & Closure.zone.is_null())
        existing = {(row["starts_on"], row["ends_on"]) for row in rows}
        now = now_utc()
        new_rows = []
        for draft in drafts:
            if draft.ends_on < today:
                report.past.append(draft)
            elif (draft.starts_on, draft.ends_on) in existing:
                report.already.append(draft)
            else:
                existing.add((draft.starts_on, draft.ends_on))
                report.added.append(draft)
                new_rows.append(Closure(branch=branch.id, starts_on=draft.starts_on, ends_on=draft.ends_on, kind=draft.kind, reason=draft.reason, created_at=now))
        if new_rows:
            await Closure.insert(*new_rows)
            await branches_service.changed()
    return report
