"""Pure rules of career guidance: scoring the survey, slots from availability, cancellation, ranking. No I/O."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from src.branches.rules import Schedule
from src.exceptions import FieldError
from src.guidance import content
from src.guidance.constants import EXCEPTION_EXTRA, EXCEPTION_OFF, MAX_BUFFER_MINUTES, RATED_MAX, SLOT_LENGTHS, TYPES
from src.i18n import _, ngettext

# --- the survey ------------------------------------------------------------------------------------------

MAX_SCORE = 8 + RATED_MAX  # each type: 8 forced choices it can win, plus one rated item
TOP_MARGIN = 1  # types within a point of the best are top types too
MAX_TOP = 3


def normalize_answer(value: object) -> str | None:
    """Answers come as strings ("a", "3") or, for rated items, as whole numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def answer_errors(answers: Mapping[str, object]) -> list[FieldError]:
    """Every missing, unknown or out-of-range answer, one error per item, in survey order."""
    errors = []
    for item in content.ITEMS:
        if item.id not in answers or answers[item.id] is None or answers[item.id] == "":
            errors.append(FieldError(f"answers.{item.id}", _("Please answer this question")))
        elif normalize_answer(answers[item.id]) not in {option.value for option in item.options}:
            errors.append(FieldError(f"answers.{item.id}", _("Choose one of: %(values)s", values=", ".join(o.value for o in item.options))))
    for key in answers:
        if key not in content.ITEMS_BY_ID:
            errors.append(FieldError(f"answers.{key}", _("There is no such question in the survey")))
    return errors


def score(answers: Mapping[str, object]) -> dict[str, int]:
    """Points per type, in the order of TYPES. The answers must be valid (see :func:`answer_errors`)."""
    points = {type_: 0 for type_ in TYPES}
    for item in content.ITEMS:
        value = normalize_answer(answers[item.id])
        if item.kind == content.RATED:
            points[item.type] += int(value)  # type: ignore[index, arg-type]
        else:
            chosen = next(option for option in item.options if option.value == value)
            points[chosen.type] += 1  # type: ignore[index]
    return points


def top_types(scores: Mapping[str, int]) -> tuple[str, ...]:
    """The best type, and up to two more within TOP_MARGIN points of it; ties keep the order of TYPES."""
    ordered = sorted(TYPES, key=lambda type_: (-scores[type_], TYPES.index(type_)))
    best = scores[ordered[0]]
    return tuple(type_ for type_ in ordered if scores[type_] >= best - TOP_MARGIN)[:MAX_TOP]


@dataclass(frozen=True, slots=True)
class Explanation:
    type: str
    name: str
    score: int
    description: str
    examples: str


def explain(scores: Mapping[str, int], top: Iterable[str], language: str, own: bool = True) -> tuple[str, list[Explanation]]:
    """A summary sentence and the top types in plain words: to the reader ("your answers"), or about them to a
    counsellor or staff member (``own=False``: "their answers")."""
    top = list(top)
    parts = []
    for type_ in top:
        text = content.type_text(type_, language)
        parts.append(Explanation(type_, text.name, scores[type_], text.description, text.examples))
    names = ", ".join(f"«{part.name}»" for part in parts)
    if max(scores.values()) - min(scores.values()) <= TOP_MARGIN:
        if own:
            summary = _("Your interests are spread evenly: no type stands out yet. That is normal; a talk with a counsellor or a few workshops help to see more.")
        else:
            summary = _("Their interests are spread evenly: no type stands out yet.")
    elif len(top) == 1:
        summary = _("Your answers lean most towards the type %(names)s.", names=names) if own else _("Their answers lean most towards the type %(names)s.", names=names)
    else:
        summary = _("Your answers lean about equally towards the types %(names)s.", names=names) if own else _("Their answers lean about equally towards the types %(names)s.", names=names)
    return summary, parts


# --- availability and slots ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    counsellor_id: int
    branch_id: int
    weekday: int
    starts: time
    ends: time
    slot_minutes: int
    buffer_minutes: int
    valid_from: date | None = None
    valid_until: date | None = None
    id: int = 0

    def applies(self, on: date) -> bool:
        return on.weekday() == self.weekday and (self.valid_from is None or on >= self.valid_from) and (self.valid_until is None or on <= self.valid_until)


@dataclass(frozen=True, slots=True)
class DateException:
    counsellor_id: int
    on: date
    kind: str  # off | extra
    branch_id: int | None = None
    starts: time | None = None
    ends: time | None = None
    slot_minutes: int = 45
    buffer_minutes: int = 15
    note: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    """What slot generation needs to know of a branch."""

    tz: ZoneInfo
    schedule: Schedule


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    starts_at: datetime
    counsellor_id: int
    branch_id: int
    ends_at: datetime
    buffer_minutes: int = 0


@dataclass(frozen=True, slots=True)
class Busy:
    counsellor_id: int
    starts_at: datetime
    ends_at: datetime


def window_errors(starts: time | None, ends: time | None, slot_minutes: int | None, buffer_minutes: int | None) -> list[FieldError]:
    errors = []
    if starts is None:
        errors.append(FieldError("starts", _("Enter the start time")))
    if ends is None:
        errors.append(FieldError("ends", _("Enter the end time")))
    if starts is not None and ends is not None and ends <= starts:
        errors.append(FieldError("ends", _("The end time must be after the start time")))
    if slot_minutes not in SLOT_LENGTHS:
        errors.append(FieldError("slot_minutes", _("A slot lasts 30, 45 or 60 minutes")))
    if buffer_minutes is None or not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        errors.append(FieldError("buffer_minutes", _("The break between slots is 0 to 60 minutes")))
    elif starts is not None and ends is not None and slot_minutes in SLOT_LENGTHS and ends > starts:
        if (datetime.combine(date.min, ends) - datetime.combine(date.min, starts)) < timedelta(minutes=slot_minutes):
            errors.append(FieldError("ends", _("The window is shorter than one slot")))
    return errors


def opening_hours_errors(starts: time | None, ends: time | None, intervals: tuple[tuple[time, time], ...], day_field: str) -> list[FieldError]:
    """A counsellor's hours must fall inside the branch's opening hours of that day (issue 16, item 7):
    ``intervals`` are the branch's hours on the weekday or date, ``day_field`` the field that chose the day."""
    if starts is None or ends is None or ends <= starts:
        return []  # window_errors says what is wrong with the times
    if not intervals:
        return [FieldError(day_field, _("The library is closed on that day"))]
    if any(opens <= starts and ends <= closes for opens, closes in intervals):
        return []
    hours = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in intervals)
    inside = any(opens <= starts < closes for opens, closes in intervals)
    return [FieldError("ends" if inside else "starts", _("The library is open %(hours)s that day: the hours must fit in them", hours=hours))]


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _offsets(starts: time, ends: time, slot_minutes: int, buffer_minutes: int) -> list[tuple[int, int]]:
    """A window cut into slots, as minutes from midnight: each slot followed by its buffer."""
    at, finish, step = _minutes(starts), _minutes(ends), slot_minutes + buffer_minutes
    offsets = []
    while at + slot_minutes <= finish:
        offsets.append((at, at + slot_minutes))
        at += step
    return offsets


def _utc(value: datetime) -> datetime:
    """Slots are UTC instants: comparing instants of one tzinfo is fast, and bookings come back in UTC."""
    return value.astimezone(timezone.utc)


def _open_minutes(intervals: tuple[tuple[time, time], ...]) -> list[tuple[int, int]]:
    return [(_minutes(opens), _minutes(closes) if closes > opens else _minutes(closes) + 24 * 60) for opens, closes in intervals]


def grid_slots(
    weekly: Iterable[WeeklyWindow],
    exceptions: Iterable[DateException],
    start: date,
    end: date,
    places: Mapping[int, Place],
) -> list[Slot]:
    """Every slot the availability offers from ``start`` to ``end`` (inclusive), in the branches' open hours,
    without closures and the counsellors' days off; not yet minus what is booked. Sorted by start.

    Works in minutes from local midnight and makes instants only for the slots it keeps (a month of twenty
    counsellors is a thousand slots)."""
    weekly_by_day: dict[int, list[WeeklyWindow]] = {}
    for window in weekly:
        weekly_by_day.setdefault(window.weekday, []).append(window)
    exceptions_by: dict[tuple[int, date], list[DateException]] = {}
    for exception in exceptions:
        exceptions_by.setdefault((exception.counsellor_id, exception.on), []).append(exception)
    offsets_cache: dict[tuple[time, time, int, int], list[tuple[int, int]]] = {}
    slots: list[Slot] = []
    on = start
    while on <= end:
        # (counsellor, branch, start time, end time, slot, buffer)
        windows = [(w.counsellor_id, w.branch_id, w.starts, w.ends, w.slot_minutes, w.buffer_minutes) for w in weekly_by_day.get(on.weekday(), ()) if w.applies(on)]
        for counsellor_id, day in exceptions_by:
            if day != on:
                continue
            off_ranges: list[tuple[int, int]] = []
            for exception in exceptions_by[(counsellor_id, day)]:
                if exception.kind == EXCEPTION_OFF:
                    if exception.starts is None or exception.ends is None:
                        off_ranges = [(0, 48 * 60)]
                    else:
                        off_ranges.append((_minutes(exception.starts), _minutes(exception.ends)))
                elif exception.kind == EXCEPTION_EXTRA and exception.branch_id and exception.starts and exception.ends:
                    windows.append((counsellor_id, exception.branch_id, exception.starts, exception.ends, exception.slot_minutes, exception.buffer_minutes))
            if off_ranges:
                windows = [w + (off_ranges,) if w[0] == counsellor_id else w for w in windows]
        open_by_branch: dict[int, list[tuple[int, int]]] = {}
        for window in windows:
            counsellor_id, branch_id, starts, ends, slot_minutes, buffer_minutes = window[:6]
            off = window[6] if len(window) > 6 else ()
            place = places.get(branch_id)
            if place is None:
                continue
            if branch_id not in open_by_branch:
                open_by_branch[branch_id] = _open_minutes(place.schedule.day(on).intervals)
            opening = open_by_branch[branch_id]
            key = (starts, ends, slot_minutes, buffer_minutes)
            if key not in offsets_cache:
                offsets_cache[key] = _offsets(starts, ends, slot_minutes, buffer_minutes)
            midnight = datetime.combine(on, time.min, tzinfo=place.tz)
            for begin, finish in offsets_cache[key]:
                if any(a < finish and begin < b for a, b in off) or not any(opens <= begin and finish <= closes for opens, closes in opening):
                    continue
                slots.append(Slot(_utc(midnight + timedelta(minutes=begin)), counsellor_id, branch_id, _utc(midnight + timedelta(minutes=finish)), buffer_minutes))
        on += timedelta(days=1)
    slots.sort(key=lambda slot: (slot.starts_at, slot.counsellor_id, slot.branch_id))
    return slots


def is_free(slot: Slot, busy: Iterable[Busy]) -> bool:
    """No booked consultation of the counsellor within the slot, its buffer included."""
    margin = timedelta(minutes=slot.buffer_minutes)
    return not any(
        other.counsellor_id == slot.counsellor_id and other.starts_at < slot.ends_at + margin and other.ends_at > slot.starts_at - margin for other in busy
    )


def bookable_window(now: datetime, lead_minutes: int, horizon_days: int) -> tuple[datetime, datetime]:
    return now + timedelta(minutes=lead_minutes), now + timedelta(days=horizon_days)


def free_slots(grid: Iterable[Slot], busy: Iterable[Busy], now: datetime, lead_minutes: int, horizon_days: int) -> list[Slot]:
    """The grid minus what is booked. A counsellor's booked consultations never overlap (the database sees to
    it), so sorted by start their ends are sorted too: one bisection per slot finds the only one that can meet it."""
    earliest, latest = bookable_window(now, lead_minutes, horizon_days)
    starts_by: dict[int, list[datetime]] = {}
    ends_by: dict[int, list[datetime]] = {}
    for item in sorted(busy, key=lambda b: b.starts_at):
        starts_by.setdefault(item.counsellor_id, []).append(item.starts_at)
        ends_by.setdefault(item.counsellor_id, []).append(item.ends_at)
    free = []
    for slot in grid:
        if not earliest <= slot.starts_at <= latest:
            continue
        starts = starts_by.get(slot.counsellor_id)
        if starts:
            margin = timedelta(minutes=slot.buffer_minutes)
            index = bisect_left(starts, slot.ends_at + margin)  # busy[index - 1] is the last to start before the slot ends
            if index and ends_by[slot.counsellor_id][index - 1] > slot.starts_at - margin:
                continue
        free.append(slot)
    return free


def find_slot(grid: Iterable[Slot], counsellor_id: int, starts_at: datetime) -> Slot | None:
    return next((slot for slot in grid if slot.counsellor_id == counsellor_id and slot.starts_at == starts_at), None)


def reader_may_cancel(starts_at: datetime, now: datetime, cancel_hours: int) -> bool:
    return now <= starts_at - timedelta(hours=cancel_hours)


# --- recommendations -----------------------------------------------------------------------------------

HOME_BONUS = 30.0
WAITLIST_PENALTY = 40.0  # a free seat matters: waiting-list-only workshops drop below good ones with seats
CONSULTATION_RELEVANCE = 0.5  # a talk with a counsellor suits every profile moderately
SOONNESS_PER_DAY = 0.2
# The strongest types count most (issue 16, item 11): a workshop that fits the first of the reader's top types
# comes before one that fits the second, whatever the home branch or the date.
TOP_TYPE_BONUS = (80.0, 40.0, 20.0)


@dataclass(frozen=True, slots=True)
class Workshop:
    id: int
    title: str
    branch_id: int
    starts_at: datetime
    ends_at: datetime
    types: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()  # profession field slugs
    min_age: int | None = None
    max_age: int | None = None
    free_seats: int | None = None  # None: no sign-up limit
    waitlist: bool = False


@dataclass(frozen=True, slots=True)
class ConsultationOffer:
    branch_id: int
    counsellor_id: int
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    values: tuple[tuple[str, object], ...] = ()

    def get(self, key: str) -> object:
        return dict(self.values).get(key)


@dataclass(frozen=True, slots=True)
class Ranked:
    kind: str  # workshop | consultation
    item: Workshop | ConsultationOffer
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def starts_at(self) -> datetime:
        return self.item.starts_at


@dataclass(frozen=True, slots=True)
class ReaderFacts:
    birth_date: date | None
    home_branch_id: int | None
    scores: Mapping[str, int] | None  # the latest saved profile, if any
    top: tuple[str, ...] = ()


def age_on(birth_date: date, on: date) -> int:
    """Whole years (as src.timeutil.age_on, without relativedelta: ranking asks this for every workshop)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_bounds(birth_date: date | None, first: date, last: date) -> tuple[int, int] | None:
    """The reader's youngest and oldest age over a period: a database prefilter for age ranges."""
    return None if birth_date is None else (age_on(birth_date, first), age_on(birth_date, last))


def age_eligible(workshop: Workshop, birth_date: date | None, tz: ZoneInfo) -> bool:
    if workshop.min_age is None and workshop.max_age is None:
        return True
    if birth_date is None:
        return False
    age = age_on(birth_date, workshop.starts_at.astimezone(tz).date())
    return (workshop.min_age is None or age >= workshop.min_age) and (workshop.max_age is None or age <= workshop.max_age)


def _match(types: frozenset[str], reader: ReaderFacts) -> tuple[float, str | None]:
    """How well a set of types suits the profile (0..1), and the type that suits best."""
    if not reader.scores or not types:
        return 0.0, None
    best = max(sorted(types, key=TYPES.index), key=lambda type_: reader.scores.get(type_, 0))  # type: ignore[union-attr]
    return reader.scores.get(best, 0) / MAX_SCORE, best  # type: ignore[union-attr]


def top_type_bonus(types: frozenset[str], top: tuple[str, ...]) -> float:
    """The bonus of the strongest of the reader's top types that a workshop fits (0 when it fits none)."""
    for position, type_ in enumerate(top[: len(TOP_TYPE_BONUS)]):
        if type_ in types:
            return TOP_TYPE_BONUS[position]
    return 0.0


def rank(
    workshops: Iterable[Workshop],
    offers: Iterable[ConsultationOffer],
    reader: ReaderFacts,
    field_types: Mapping[str, frozenset[str]],
    now: datetime,
    tz: ZoneInfo,
) -> list[Ranked]:
    """Upcoming workshops the reader may attend (age on the day, a free seat or a waitlist) and consultation
    offers, best first: fit to the profile, then the home branch, then sooner."""
    ranked: list[Ranked] = []
    for workshop in workshops:
        if workshop.starts_at <= now or not age_eligible(workshop, reader.birth_date, tz):
            continue
        if workshop.free_seats is not None and workshop.free_seats <= 0 and not workshop.waitlist:
            continue
        types = workshop.types | frozenset(type_ for slug in workshop.fields for type_ in field_types.get(slug, ()))
        fit, best = _match(types, reader)
        reasons: list[Reason] = []
        if best is not None and best in reader.top:
            matched_field = next((slug for slug in sorted(workshop.fields) if best in field_types.get(slug, ())), None)
            reasons.append(Reason("type", (("type", best),) + ((("field", matched_field),) if matched_field else ())))
        elif best is not None and fit > 0:
            reasons.append(Reason("also", (("type", best),)))
        elif reader.scores is None:
            reasons.append(Reason("no_profile"))
        score = fit * 100 + top_type_bonus(types, reader.top)
        if reader.home_branch_id is not None and workshop.branch_id == reader.home_branch_id:
            score += HOME_BONUS
            reasons.append(Reason("home"))
        if workshop.free_seats is not None and workshop.free_seats > 0:
            reasons.append(Reason("seats", (("n", workshop.free_seats),)))
        elif workshop.free_seats is not None:
            score -= WAITLIST_PENALTY
            reasons.append(Reason("waitlist"))
        if workshop.min_age is not None or workshop.max_age is not None:
            reasons.append(Reason("age"))
        score -= (workshop.starts_at - now).total_seconds() / 86400 * SOONNESS_PER_DAY
        ranked.append(Ranked("workshop", workshop, score, tuple(reasons)))
    for offer in offers:
        if offer.starts_at <= now:
            continue
        reasons = [Reason("counsellor", (("profile", reader.scores is not None),))]
        score = CONSULTATION_RELEVANCE * 100
        if reader.home_branch_id is not None and offer.branch_id == reader.home_branch_id:
            score += HOME_BONUS
            reasons.append(Reason("home"))
        score -= (offer.starts_at - now).total_seconds() / 86400 * SOONNESS_PER_DAY
        ranked.append(Ranked("consultation", offer, score, tuple(reasons)))
    ranked.sort(key=lambda entry: (-entry.score, entry.starts_at, entry.kind, getattr(entry.item, "id", 0)))
    return ranked


def why(reasons: Iterable[Reason], language: str, field_name: Callable[[str], str] = lambda slug: slug) -> str:
    """The one line that says why something is recommended, in the current language."""
    parts = []
    for reason in reasons:
        if reason.code == "type":
            name = content.type_text(str(reason.get("type")), language).name
            if reason.get("field"):
                parts.append(_("Fits your type «%(type)s»: %(field)s", type=name, field=field_name(str(reason.get("field")))))
            else:
                parts.append(_("Fits your type «%(type)s»", type=name))
        elif reason.code == "also":
            parts.append(_("Touches on «%(type)s»", type=content.type_text(str(reason.get("type")), language).name))
        elif reason.code == "no_profile":
            parts.append(_("Take the survey for picks that fit you"))
        elif reason.code == "counsellor":
            parts.append(_("Talk your results over with a counsellor") if reason.get("profile") else _("A counsellor helps you choose a direction"))
        elif reason.code == "home":
            parts.append(_("at your home library"))
        elif reason.code == "seats":
            n = int(reason.get("n"))  # type: ignore[arg-type]
            parts.append(ngettext("%(num)s free seat", "%(num)s free seats", n))
        elif reason.code == "waitlist":
            parts.append(_("waiting list only"))
        elif reason.code == "age":
            parts.append(_("for your age"))
    return " · ".join(parts)
