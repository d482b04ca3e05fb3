"""The statistics as SQL aggregates: every function is one query that groups and sums in the database.

Common arguments: ``branches`` (branch ids), ``start``/``end`` (UTC instants, ``[start, end)``) and ``now``.
People are counted in seats (a family sign-up of three is three visitors), and a visit's age group is the age of
the reader who holds the sign-up on the day of the event. Nothing here reads a person's name or a counsellor's
notes; only counts leave this module.

Definitions (docs/statistics.md explains them for readers of the figures):

- an event is *held* when it is not cancelled and has started before ``now``;
- a *sign-up* is a confirmed (or checked-in) registration of an event that is not cancelled;
- a *check-in* is a registration with ``checked_in_at``; a *walk-in* is a registration staff made for a reader at
  the desk after the event had started and that was not also checked in; a *no-show* is a confirmed seat of an
  event whose attendance was taken (someone was checked in) and which has ended, neither checked in nor a walk-in;
- *drop-in visitors* are the head counts staff enter for events without sign-up (``event_attendance``).
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from typing import Any, Sequence

from src.events.tables import Event
from src.stats.sql import AGE_GROUPS, Dialect, ids

Row = dict[str, Any]


async def _rows(sql: str, *params: Any) -> list[Row]:
    return await Event.raw(sql, *params)


def _window(column: str) -> str:
    return f"{column} >= {{}} AND {column} < {{}}"


async def events(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, now: datetime) -> list[Row]:
    """Per category: events held, cancelled, still to come, and the seats offered and taken of events with sign-up."""
    return await _rows(
        f"""SELECT e.category AS category,
            SUM(CASE WHEN e.status = 'scheduled' AND e.starts_at < {{}} THEN 1 ELSE 0 END) AS held,
            SUM(CASE WHEN e.status = 'scheduled' AND e.starts_at < {{}} AND e.max_age IS NOT NULL AND e.max_age <= 14 THEN 1 ELSE 0 END) AS held_children,
            SUM(CASE WHEN e.status = 'scheduled' AND e.starts_at < {{}} AND e.min_age IS NOT NULL AND e.min_age >= 15
                     AND e.max_age IS NOT NULL AND e.max_age <= 30 THEN 1 ELSE 0 END) AS held_youth,
            SUM(CASE WHEN e.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
            SUM(CASE WHEN e.status = 'scheduled' AND e.starts_at >= {{}} THEN 1 ELSE 0 END) AS upcoming,
            SUM(CASE WHEN e.status = 'scheduled' AND e.capacity IS NOT NULL THEN e.capacity ELSE 0 END) AS capacity,
            SUM(CASE WHEN e.status = 'scheduled' AND e.capacity IS NOT NULL THEN e.seats_taken ELSE 0 END) AS seats_taken
        FROM event e WHERE e.branch IN ({ids(branches)}) AND {_window("e.starts_at")}
        GROUP BY e.category ORDER BY e.category""",
        now, now, now, now, start, end,
    )


MEASURES = {
    "signups": "seats",
    "checkins": "CASE WHEN checked_in THEN seats ELSE 0 END",
    "walkins": "CASE WHEN walk_in THEN seats ELSE 0 END",
    "no_shows": "CASE WHEN NOT checked_in AND NOT walk_in AND counted THEN seats ELSE 0 END",
}


async def visits(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, now: datetime, by_category: bool = True) -> list[Row]:
    """Per category (or, without ``by_category``, for all together) and age group of the reader on the event's
    day: sign-ups, check-ins, walk-ins, no-shows.

    The age limits are worked out once per event (the latest birth dates of a 15- and a 31-year-old that day), so
    each sign-up costs two comparisons of dates. ``CROSS JOIN`` keeps SQLite's loop over the period's events, each
    reading its sign-ups from the covering index (PostgreSQL plans it freely). Without categories the age groups
    are conditional sums in one pass, with no grouping to sort (the summary's path)."""
    day = d.local_day("e.starts_at")
    walk_in = "(r.created_by IS NOT NULL AND r.created_by <> r.reader AND r.created_at >= ev.starts_at AND r.checked_in_at IS NULL)"
    if by_category:
        columns = ", ".join(f"SUM({expression}) AS {name}" for name, expression in MEASURES.items())
        select, tail = f"SELECT category, age_group, {columns}", "GROUP BY category, age_group ORDER BY category, age_group"
    else:
        select = "SELECT " + ", ".join(
            f"SUM(CASE WHEN age_group = '{group}' THEN {expression} ELSE 0 END) AS {name}_{index}"
            for index, group in enumerate(AGE_GROUPS) for name, expression in MEASURES.items()
        )
        tail = ""
    rows = await _rows(
        f"""WITH ev AS MATERIALIZED (
            SELECT e.id AS id, e.category AS category, e.starts_at AS starts_at, (e.attendance_taken = {{}} AND e.ends_at <= {{}}) AS counted,
                {d.born_by(day, 15)} AS born15, {d.born_by(day, 31)} AS born31
            FROM event e WHERE e.branch IN ({ids(branches)}) AND {_window("e.starts_at")} AND e.status = 'scheduled'
        )
        {select}
        FROM (
            SELECT ev.category AS category, r.seats AS seats, (r.checked_in_at IS NOT NULL) AS checked_in, {walk_in} AS walk_in, ev.counted AS counted,
                CASE WHEN c.birth_date IS NULL THEN '31+' WHEN c.birth_date > ev.born15 THEN '0-14' WHEN c.birth_date > ev.born31 THEN '15-30' ELSE '31+' END AS age_group
            FROM ev CROSS JOIN registration r LEFT JOIN reader_card c {d.indexed_by("reader_card_stats")} ON c.account = r.reader
            WHERE r.event = ev.id AND (r.status = 'confirmed' OR r.checked_in_at IS NOT NULL) {"" if by_category else d.fence}
        ) AS v
        {tail}""",
        True, now, start, end,
    )
    if by_category:
        return rows
    return [{"category": None, "age_group": group, **{name: rows[0][f"{name}_{index}"] or 0 for name in MEASURES}} for index, group in enumerate(AGE_GROUPS)]


async def dropins(d: Dialect, branches: Sequence[int], start: datetime, end: datetime) -> list[Row]:
    """Per category: the head counts of events without sign-up (total, children, youth)."""
    return await _rows(
        f"""SELECT e.category AS category, COUNT(*) AS events, SUM(a.total) AS total, SUM(a.children) AS children, SUM(a.youth) AS youth
        FROM event_attendance a JOIN event e ON e.id = a.event
        WHERE e.branch IN ({ids(branches)}) AND {_window("e.starts_at")} AND e.status = 'scheduled'
        GROUP BY e.category ORDER BY e.category""",
        start, end,
    )


async def bookings(d: Dialect, branches: Sequence[int], start: datetime, end: datetime) -> list[Row]:
    """Per zone: confirmed bookings and their hours (blocks by staff are not use), approvals, declines,
    cancellations and requests still pending, of bookings starting in the period."""
    hours = d.hours("b.starts_at", "b.ends_at")
    return await _rows(
        f"""SELECT z.id AS zone, z.branch AS branch, z.kind AS kind,
            SUM(CASE WHEN b.status = 'confirmed' AND b.holder_kind <> 'block' THEN 1 ELSE 0 END) AS bookings,
            SUM(CASE WHEN b.status = 'confirmed' AND b.holder_kind <> 'block' THEN {hours} ELSE 0 END) AS hours,
            SUM(CASE WHEN b.status = 'confirmed' AND b.status_changed_by IS NOT NULL THEN 1 ELSE 0 END) AS approvals,
            SUM(CASE WHEN b.status = 'declined' THEN 1 ELSE 0 END) AS declines,
            SUM(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END) AS cancellations,
            SUM(CASE WHEN b.status = 'pending' THEN 1 ELSE 0 END) AS pending
        FROM booking b JOIN zone z ON z.id = b.zone
        WHERE z.branch IN ({ids(branches)}) AND {_window("b.starts_at")}
        GROUP BY z.id, z.branch, z.kind ORDER BY z.id""",
        start, end,
    )


async def busiest_hours(d: Dialect, branches: Sequence[int], start: datetime, end: datetime) -> list[Row]:
    """Confirmed bookings by local weekday (0 = Sunday) and starting hour: the heat map of the week."""
    return await _rows(
        f"""SELECT weekday, hour, COUNT(*) AS bookings FROM (
            SELECT {d.weekday("b.starts_at")} AS weekday, {d.hour("b.starts_at")} AS hour
            FROM booking b JOIN zone z ON z.id = b.zone
            WHERE z.branch IN ({ids(branches)}) AND {_window("b.starts_at")} AND b.status = 'confirmed' AND b.holder_kind <> 'block'
        ) AS t GROUP BY weekday, hour ORDER BY weekday, hour""",
        start, end,
    )


async def school_visits_held(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, now: datetime) -> list[Row]:
    """Per programme, grade and school: confirmed visits that have taken place, their pupils and adults."""
    return await _rows(
        f"""SELECT p.title AS programme, v.grade AS grade, s.name AS school,
            COUNT(*) AS classes, SUM(v.group_size) AS pupils, SUM(v.adults) AS adults
        FROM visit_request v JOIN programme p ON p.id = v.programme JOIN school s ON s.id = v.school
        WHERE v.branch IN ({ids(branches)}) AND v.status = 'confirmed' AND {_window("v.starts_at")} AND v.starts_at < {{}}
        GROUP BY p.title, v.grade, s.name ORDER BY p.title, v.grade, s.name""",
        start, end, now,
    )


async def school_visits_requested(d: Dialect, branches: Sequence[int], start: datetime, end: datetime) -> list[Row]:
    """Per programme: visit requests made in the period and how they stand now."""
    return await _rows(
        f"""SELECT p.title AS programme, COUNT(*) AS requested,
            SUM(CASE WHEN v.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed,
            SUM(CASE WHEN v.status = 'declined' THEN 1 ELSE 0 END) AS declined,
            SUM(CASE WHEN v.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
            SUM(CASE WHEN v.status IN ('requested', 'proposed') THEN 1 ELSE 0 END) AS open
        FROM visit_request v JOIN programme p ON p.id = v.programme
        WHERE v.branch IN ({ids(branches)}) AND {_window("v.created_at")}
        GROUP BY p.title ORDER BY p.title""",
        start, end,
    )


async def surveys(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, types: Sequence[str]) -> Row:
    """Surveys completed by readers of these home branches, and how often each type was among the top ones."""
    spread = ", ".join(f"SUM(CASE WHEN ',' || sr.top_types || ',' LIKE '%,{kind},%' THEN 1 ELSE 0 END) AS type_{kind}" for kind in types if kind.isalpha())
    rows = await _rows(
        f"""SELECT COUNT(*) AS surveys, COUNT(DISTINCT sr.reader) AS readers, {spread}
        FROM survey_response sr JOIN reader_card c ON c.account = sr.reader
        WHERE c.home_branch IN ({ids(branches)}) AND {_window("sr.created_at")}""",
        start, end,
    )
    return rows[0]


async def consultations(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, now: datetime) -> Row:
    """Consultations held (booked, started before now) and still booked; their notes are never read."""
    rows = await _rows(
        f"""SELECT SUM(CASE WHEN starts_at < {{}} THEN 1 ELSE 0 END) AS held, SUM(CASE WHEN starts_at >= {{}} THEN 1 ELSE 0 END) AS upcoming,
            COUNT(DISTINCT reader) AS readers
        FROM consultation WHERE branch IN ({ids(branches)}) AND status = 'booked' AND {_window("starts_at")}""",
        now, now, start, end,
    )
    return rows[0]


async def guidance_all_three(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, now: datetime, workshop_category: str) -> int:
    """Readers who in the period completed a survey, had a consultation here and attended a career workshop here."""
    rows = await _rows(
        f"""SELECT COUNT(*) AS readers FROM (
            SELECT sr.reader FROM survey_response sr WHERE {_window("sr.created_at")}
            INTERSECT
            SELECT c.reader FROM consultation c WHERE c.branch IN ({ids(branches)}) AND c.status = 'booked' AND {_window("c.starts_at")} AND c.starts_at < {{}}
            INTERSECT
            SELECT r.reader FROM registration r JOIN event e ON e.id = r.event
            WHERE e.branch IN ({ids(branches)}) AND e.category = {{}} AND e.status = 'scheduled' AND {_window("e.starts_at")}
              AND (r.checked_in_at IS NOT NULL OR (r.created_by <> r.reader AND r.created_at >= e.starts_at AND r.status = 'confirmed'))
        ) AS t""",
        start, end, start, end, now, workshop_category, start, end,
    )
    return int(rows[0]["readers"] or 0)


async def new_cards(d: Dialect, branches: Sequence[int], start: datetime, end: datetime) -> list[Row]:
    """New reader cards per home branch and age group (age on the day the card was made)."""
    age_group = d.age_group(d.local_day("c.created_at"), "c.birth_date")
    return await _rows(
        f"""SELECT branch, age_group, COUNT(*) AS cards FROM (
            SELECT c.home_branch AS branch, {age_group} AS age_group FROM reader_card c
            WHERE c.home_branch IN ({ids(branches)}) AND {_window("c.created_at")}
        ) AS t GROUP BY branch, age_group ORDER BY branch, age_group""",
        start, end,
    )


async def active_readers(d: Dialect, branches: Sequence[int], start: datetime, end: datetime, on: date, with_new_cards: bool = False) -> list[Row]:
    """Readers active in these branches in the period (a sign-up for an event of the period, a booking of a zone,
    a consultation; with ``with_new_cards`` also a card made there), per age group on ``on``, with how many of them
    were active in more than one branch of the network."""
    card = (
        f"UNION ALL SELECT c.account AS reader, c.home_branch AS branch FROM reader_card c WHERE {_window('c.created_at')}"
        if with_new_cards else ""
    )
    params: list[Any] = [start, end, start, end, start, end] + ([start, end] if with_new_cards else [])
    age_group = d.age_group(d.day_literal(on), "card.birth_date")
    born15, born31 = (d.day_literal(on - relativedelta(years=years)) for years in (15, 31))
    age_group = f"CASE WHEN card.birth_date > {born15} THEN '0-14' WHEN card.birth_date > {born31} THEN '15-30' ELSE '31+' END"
    return await _rows(
        f"""WITH activity AS (
            SELECT r.reader AS reader, e.branch AS branch FROM event e CROSS JOIN registration r WHERE r.event = e.id AND {_window("e.starts_at")}
            UNION ALL SELECT b.holder AS reader, z.branch AS branch FROM booking b JOIN zone z ON z.id = b.zone
                WHERE b.holder_kind = 'reader' AND b.holder IS NOT NULL AND b.status = 'confirmed' AND {_window("b.starts_at")}
            UNION ALL SELECT c.reader AS reader, c.branch AS branch FROM consultation c WHERE c.status = 'booked' AND {_window("c.starts_at")}
            {card}
        ), readers AS (
            SELECT reader, COUNT(DISTINCT branch) AS branches, MAX(CASE WHEN branch IN ({ids(branches)}) THEN 1 ELSE 0 END) AS here
            FROM activity GROUP BY reader
        )
        SELECT {age_group} AS age_group, COUNT(*) AS readers, SUM(CASE WHEN readers.branches > 1 THEN 1 ELSE 0 END) AS several_branches
        FROM readers JOIN reader_card card ON card.account = readers.reader
        WHERE readers.here = 1 GROUP BY {age_group} ORDER BY 1""",
        *params,
    )


async def active_count(d: Dialect, branches: Sequence[int], start: datetime, end: datetime) -> int:
    """Only how many readers were active in these branches (the summary's figure): the same activity as
    :func:`active_readers`, counted once each, without ages or other branches."""
    rows = await _rows(
        f"""SELECT COUNT(*) AS readers FROM (
            SELECT r.reader AS reader FROM event e CROSS JOIN registration r WHERE r.event = e.id AND e.branch IN ({ids(branches)}) AND {_window("e.starts_at")}
            UNION SELECT b.holder AS reader FROM booking b JOIN zone z ON z.id = b.zone
                WHERE z.branch IN ({ids(branches)}) AND b.holder_kind = 'reader' AND b.holder IS NOT NULL AND b.status = 'confirmed' AND {_window("b.starts_at")}
            UNION SELECT c.reader AS reader FROM consultation c WHERE c.branch IN ({ids(branches)}) AND c.status = 'booked' AND {_window("c.starts_at")}
        ) AS t""",
        start, end, start, end, start, end,
    )
    return int(rows[0]["readers"] or 0)
