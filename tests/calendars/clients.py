"""Calendar clients in the tests: ical.js run by Node (what Thunderbird parses with), and icalendar with
recurring-ical-events. Both expand a feed to instants (UTC) so tests compare them with what the API says.

Node and the npm package (``npm ci --prefix tests/js``, done by ``make install``) are required in CI
(``LIBSPACE_REQUIRE_BROWSER=1``): there a missing one fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

from tests.support import skip_unless_required

JS_DIR = Path(__file__).resolve().parent.parent / "js"
UTC = timezone.utc


def node_problem() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm)"
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        return "ical.js is not installed (npm ci --prefix tests/js)"
    return None


def require_node() -> None:
    problem = node_problem()
    if problem:
        skip_unless_required(problem, "ical.js tests")


def icaljs(feed: bytes | str, start: datetime, end: datetime) -> dict:
    """The feed as ical.js sees it: calendar name, VTIMEZONE offsets, and occurrences between two instants."""
    require_node()
    data = feed.encode() if isinstance(feed, str) else feed
    result = subprocess.run(
        ["node", str(JS_DIR / "expand.cjs"), start.isoformat(), end.isoformat()],
        input=data,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, f"ical.js rejected the feed: {result.stderr.decode(errors='replace')[-2000:]}"
    return json.loads(result.stdout)


def python_occurrences(feed: bytes | str, start: datetime, end: datetime) -> list:
    """The feed as icalendar + recurring-ical-events expand it (overrides and EXDATEs applied)."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(feed)
    return list(recurring_ical_events.of(calendar).between(start, end))


def instant(value: str | datetime | date) -> datetime | date:
    """ical.js's ISO strings and icalendar's values, normalized to UTC datetimes (dates stay dates)."""
    if isinstance(value, str):
        if "T" not in value:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "a floating time in a feed: every time must carry its zone"
        return value.astimezone(UTC)
    return value


def icaljs_spans(feed: bytes | str, start: datetime, end: datetime, include_cancelled: bool = False) -> list[tuple]:
    parsed = icaljs(feed, start, end)
    return sorted(
        (e["uid"], instant(e["start"]), instant(e["end"]))
        for e in parsed["events"]
        if include_cancelled or e["status"] != "CANCELLED"
    )


def python_spans(feed: bytes | str, start: datetime, end: datetime, include_cancelled: bool = False) -> list[tuple]:
    return sorted(
        (str(e["UID"]), instant(e["DTSTART"].dt), instant(e["DTEND"].dt))
        for e in python_occurrences(feed, start, end)
        if include_cancelled or str(e.get("STATUS", "")) != "CANCELLED"
    )
