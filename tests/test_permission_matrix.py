"""The permission matrix: every operation of ``/schema/openapi.json`` asked by every kind of caller, against the
answer written in one table (``EXPECTED`` below). An operation missing from the table fails its test, and the
failure prints the row to add (with the answers seen, to be checked before pasting), so every endpoint is
called over HTTP by everyone.

Callers (columns), all from the demo data; the objects asked about belong to the youth library «Чехова»:
``anon`` no token · ``reader`` a 15-year-old reader (teen@) who holds the bookings, sign-ups and consultations
asked about · ``minor`` a reader of 10 (minor@) · ``teacher`` the approved teacher of school 5, whose school
requests the visits · ``pending`` a teacher still waiting for approval · ``counsellor`` the counsellor of the
consultations · ``staff`` staff of «Чехова» · ``other`` staff of another branch («Диалог») · ``admin``.

Adding an endpoint: add its row to ``EXPECTED``; if it has path parameters other than those in
``World.params`` or needs a body, add a recipe to ``RECIPES`` (a function of the world and the caller that
gives the path parameters, query and body; it makes a fresh object when the call changes one).

The data is built once for the module (the demo, a clock stopped on an ordinary open day an hour after the
branch opens, so bookings in progress and today's check-in exist whatever the real date), and the tables are
emptied when the module ends.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

import httpx
import pytest
import time_machine

from src import clock
from src.accounts import service as accounts_service
from src.accounts.tables import Account, LoginAttempt
from src.app import create_app
from src.guidance.tables import Consultation
from src.rooms import bookings
from src.rooms import rules as rooms_rules
from src.rooms.constants import CANCELLED, HOLDER_READER, PENDING
from src.rooms.tables import Booking
from tests import dates
from tests.conftest import empty_tables

WHO = ("anon", "reader", "minor", "teacher", "pending", "counsellor", "staff", "other", "admin")
LOGINS = {
    "reader": "teen@libspace.local",
    "minor": "minor@libspace.local",
    "teacher": "teacher@libspace.local",
    "pending": "new.teacher@libspace.local",
    "counsellor": "counsellor@libspace.local",
    "staff": "staff.chekhov@libspace.local",
    "other": "staff.dialog@libspace.local",
    "admin": "admin@libspace.local",
}
BRANCH = "chekhov"

# One row per operation: method, path as in the OpenAPI document, then the status each caller gets, in the
# order of the header. Keep the columns aligned; a row per operation, sorted by path.
# Answers worth knowing: a caller who may not book the zone gets 422 on zone_id (the booking form names the
# field), not 403; another's consultation or survey result is 404 (its existence is private), another's booking
# or visit 403; a school declines only a proposed time (409 on a request); staff sign walk-ins up by card;
# staff of the branch do not see or cancel a consultation through the API (its counsellor and admins do).
EXPECTED_TABLE = """
operation                                                       anon reader minor teacher pending counsellor staff other admin
GET    /api/v1/audit                                            401  403    403   403     403     403        403   403   200
POST   /api/v1/auth/activate                                    202  202    202   202     202     202        202   202   202
POST   /api/v1/auth/logout                                      401  204    204   204     204     204        204   204   204
POST   /api/v1/auth/password-reset                              202  202    202   202     202     202        202   202   202
POST   /api/v1/auth/password-reset/confirm                      200  200    200   200     200     200        200   200   200
POST   /api/v1/auth/token                                       200  200    200   200     200     200        200   200   200
GET    /api/v1/bookings                                         401  200    200   200     200     200        200   200   200
POST   /api/v1/bookings                                         401  201    201   422     422     422        201   422   201
GET    /api/v1/bookings/{booking_id}                            401  200    403   403     403     403        200   403   200
POST   /api/v1/bookings/{booking_id}/approve                    401  403    403   403     403     403        200   403   200
POST   /api/v1/bookings/{booking_id}/cancel                     401  200    403   403     403     403        200   403   200
POST   /api/v1/bookings/{booking_id}/decline                    401  403    403   403     403     403        200   403   200
POST   /api/v1/bookings/{booking_id}/end                        401  200    403   403     403     403        200   403   200
POST   /api/v1/bookings/{booking_id}/extend                     401  200    403   403     403     403        200   403   200
POST   /api/v1/bookings/{booking_id}/reschedule                 401  200    403   403     403     403        200   403   200
GET    /api/v1/branches                                         200  200    200   200     200     200        200   200   200
POST   /api/v1/branches                                         401  403    403   403     403     403        403   403   201
GET    /api/v1/branches/{slug}                                  200  200    200   200     200     200        200   200   200
PATCH  /api/v1/branches/{slug}                                  401  403    403   403     403     403        403   403   200
GET    /api/v1/branches/{slug}/closures                         200  200    200   200     200     200        200   200   200
POST   /api/v1/branches/{slug}/closures                         401  403    403   403     403     403        201   403   201
POST   /api/v1/branches/{slug}/deactivate                       401  403    403   403     403     403        403   403   200
GET    /api/v1/branches/{slug}/exceptions                       200  200    200   200     200     200        200   200   200
POST   /api/v1/branches/{slug}/exceptions                       401  403    403   403     403     403        201   403   201
POST   /api/v1/branches/{slug}/exceptions/{on}/remove           401  403    403   403     403     403        200   403   200
GET    /api/v1/branches/{slug}/hours                            200  200    200   200     200     200        200   200   200
PUT    /api/v1/branches/{slug}/hours                            401  403    403   403     403     403        200   403   200
POST   /api/v1/branches/{slug}/reactivate                       401  403    403   403     403     403        403   403   200
GET    /api/v1/branches/{slug}/week                             200  200    200   200     200     200        200   200   200
POST   /api/v1/checkins                                         401  403    403   403     403     403        200   403   200
GET    /api/v1/events                                           200  200    200   200     200     200        200   200   200
POST   /api/v1/events                                           401  403    403   403     403     403        201   403   201
GET    /api/v1/events/{event_id}                                200  200    200   200     200     200        200   200   200
PATCH  /api/v1/events/{event_id}                                401  403    403   403     403     403        200   403   200
POST   /api/v1/events/{event_id}/attendance                     401  403    403   403     403     403        200   403   200
POST   /api/v1/events/{event_id}/cancel                         401  403    403   403     403     403        200   403   200
GET    /api/v1/events/{event_id}/registrations                  401  403    403   403     403     403        200   403   200
POST   /api/v1/events/{event_id}/registrations                  401  201    201   403     403     403        201   403   201
GET    /api/v1/guidance/consultations                           401  200    200   200     200     200        200   200   200
POST   /api/v1/guidance/consultations                           401  201    201   403     403     403        403   403   403
GET    /api/v1/guidance/consultations/{consultation_id}         401  200    404   404     404     200        404   404   200
PATCH  /api/v1/guidance/consultations/{consultation_id}         401  403    404   404     404     200        404   404   200
POST   /api/v1/guidance/consultations/{consultation_id}/cancel  401  200    404   404     404     200        404   404   200
GET    /api/v1/guidance/counsellors                             200  200    200   200     200     200        200   200   200
GET    /api/v1/guidance/counsellors/{counsellor_id}/availability 401  403    403   403     403     200        403   403   200
POST   /api/v1/guidance/counsellors/{counsellor_id}/availability 401  403    403   403     403     201        403   403   201
GET    /api/v1/guidance/counsellors/{counsellor_id}/availability/exceptions 401  403    403   403     403     200        403   403   200
POST   /api/v1/guidance/counsellors/{counsellor_id}/availability/exceptions 401  403    403   403     403     201        403   403   201
POST   /api/v1/guidance/counsellors/{counsellor_id}/availability/exceptions/{exception_id}/remove 401  403    403   403     403     204        403   403   204
POST   /api/v1/guidance/counsellors/{counsellor_id}/availability/{window_id}/remove 401  403    403   403     403     204        403   403   204
GET    /api/v1/guidance/fields                                  200  200    200   200     200     200        200   200   200
GET    /api/v1/guidance/passport                                401  200    200   200     200     200        200   200   200
GET    /api/v1/guidance/profile                                 401  200    200   200     200     200        200   200   200
GET    /api/v1/guidance/recommendations                         401  200    200   403     403     403        403   403   403
GET    /api/v1/guidance/slots                                   200  200    200   200     200     200        200   200   200
GET    /api/v1/guidance/survey                                  200  200    200   200     200     200        200   200   200
POST   /api/v1/guidance/survey/responses                        201  201    201   201     201     201        201   201   201
GET    /api/v1/guidance/survey/responses/{response_id}          401  200    404   404     404     200        404   404   200
GET    /api/v1/me                                               401  200    200   200     200     200        200   200   200
GET    /api/v1/me/availability                                  401  403    403   403     403     200        403   403   403
POST   /api/v1/me/availability                                  401  403    403   403     403     201        403   403   403
GET    /api/v1/me/availability/exceptions                       401  403    403   403     403     200        403   403   403
POST   /api/v1/me/availability/exceptions                       401  403    403   403     403     201        403   403   403
POST   /api/v1/me/availability/exceptions/{exception_id}/remove 401  403    403   403     403     204        403   403   403
POST   /api/v1/me/availability/{window_id}/remove               401  403    403   403     403     204        403   403   403
GET    /api/v1/me/children                                      401  200    200   403     403     403        403   403   403
POST   /api/v1/me/children                                      401  201    201   403     403     403        403   403   403
POST   /api/v1/me/children/{link_id}/unlink                     401  204    404   403     403     403        403   403   403
POST   /api/v1/me/erase                                         401  422    422   422     422     422        422   422   422
GET    /api/v1/me/export                                        401  200    200   403     403     403        403   403   403
GET    /api/v1/me/feeds                                         401  200    200   200     200     200        200   200   200
POST   /api/v1/me/feeds/regenerate                              401  200    200   200     200     200        200   200   200
GET    /api/v1/me/guardians                                     401  200    200   403     403     403        403   403   403
POST   /api/v1/me/guardians/agree                               401  422    422   403     403     403        403   403   403
POST   /api/v1/me/guardians/unlink                              401  204    403   403     403     403        403   403   403
GET    /api/v1/me/messages                                      401  200    200   200     200     200        200   200   200
PUT    /api/v1/me/messages                                      401  200    200   200     200     200        200   200   200
POST   /api/v1/me/password                                      401  204    204   204     204     204        204   204   204
GET    /api/v1/me/registrations                                 401  200    200   403     403     403        403   403   403
GET    /api/v1/me/reminders                                     401  200    200   200     200     200        200   200   200
PUT    /api/v1/me/reminders                                     401  200    200   200     200     200        200   200   200
DELETE /api/v1/me/telegram                                      401  204    204   204     204     204        204   204   204
POST   /api/v1/me/telegram                                      401  409    409   409     409     409        409   409   409
GET    /api/v1/programmes                                       200  200    200   200     200     200        200   200   200
POST   /api/v1/programmes                                       401  403    403   403     403     403        201   403   201
GET    /api/v1/programmes/{programme_id}                        200  200    200   200     200     200        200   200   200
PATCH  /api/v1/programmes/{programme_id}                        401  403    403   403     403     403        200   403   200
GET    /api/v1/readers                                          401  403    403   403     403     403        200   200   200
POST   /api/v1/readers                                          202  202    202   202     202     202        202   202   202
GET    /api/v1/readers/{card_number}                            401  403    403   403     403     403        200   200   200
PATCH  /api/v1/readers/{card_number}                            401  403    403   403     403     403        200   200   200
POST   /api/v1/readers/{card_number}/access-code                401  403    403   403     403     403        201   201   201
POST   /api/v1/readers/{card_number}/block                      401  403    403   403     403     403        200   200   200
POST   /api/v1/readers/{card_number}/erase                      401  403    403   403     403     403        200   200   200
GET    /api/v1/readers/{card_number}/guardians                  401  403    403   403     403     403        200   200   200
POST   /api/v1/readers/{card_number}/guardians/{link_id}/unlink 401  403    403   403     403     403        204   204   204
POST   /api/v1/readers/{card_number}/replace                    401  403    403   403     403     403        200   200   200
POST   /api/v1/readers/{card_number}/unblock                    401  403    403   403     403     403        200   200   200
POST   /api/v1/registrations/{registration_id}/cancel           401  200    403   403     403     403        200   403   200
POST   /api/v1/registrations/{registration_id}/confirm          401  200    403   403     403     403        403   403   403
GET    /api/v1/schools                                          401  403    403   403     403     403        200   200   200
POST   /api/v1/schools                                          401  403    403   403     403     403        201   201   201
PATCH  /api/v1/schools/{slug}                                   401  403    403   403     403     403        200   200   200
GET    /api/v1/staff                                            401  403    403   403     403     403        403   403   200
POST   /api/v1/staff                                            401  403    403   403     403     403        403   403   201
PATCH  /api/v1/staff/{account_id}                               401  403    403   403     403     403        403   403   200
GET    /api/v1/stats/annual                                     401  403    403   403     403     403        200   200   200
GET    /api/v1/stats/summary                                    401  403    403   403     403     403        200   200   200
GET    /api/v1/stats/zones                                      401  403    403   403     403     403        200   200   200
GET    /api/v1/visits                                           401  403    403   200     403     403        200   200   200
POST   /api/v1/visits                                           401  403    403   201     403     403        403   403   403
GET    /api/v1/visits/{visit_id}                                401  403    403   200     403     403        200   403   200
POST   /api/v1/visits/{visit_id}/accept                         401  403    403   200     403     403        403   403   403
POST   /api/v1/visits/{visit_id}/cancel                         401  403    403   200     403     403        200   403   200
POST   /api/v1/visits/{visit_id}/confirm                        401  403    403   403     403     403        200   403   200
POST   /api/v1/visits/{visit_id}/decline                        401  403    403   409     403     403        200   403   200
POST   /api/v1/visits/{visit_id}/propose                        401  403    403   403     403     403        200   403   200
GET    /api/v1/visits/{visit_id}/suggestions                    401  403    403   403     403     403        200   403   200
GET    /api/v1/zone-features                                    200  200    200   200     200     200        200   200   200
POST   /api/v1/zone-features                                    401  403    403   403     403     403        403   403   201
PATCH  /api/v1/zone-features/{code}                             401  403    403   403     403     403        403   403   200
GET    /api/v1/zone-kinds                                       200  200    200   200     200     200        200   200   200
POST   /api/v1/zone-kinds                                       401  403    403   403     403     403        403   403   201
PATCH  /api/v1/zone-kinds/{code}                                401  403    403   403     403     403        403   403   200
GET    /api/v1/zones                                            200  200    200   200     200     200        200   200   200
POST   /api/v1/zones                                            401  403    403   403     403     403        201   403   201
GET    /api/v1/zones/{zone_id}                                  200  200    200   200     200     200        200   200   200
PATCH  /api/v1/zones/{zone_id}                                  401  403    403   403     403     403        200   403   200
GET    /api/v1/zones/{zone_id}/availability                     200  200    200   200     200     200        200   200   200
POST   /api/v1/zones/{zone_id}/deactivate                       401  403    403   403     403     403        200   403   200
GET    /api/v1/zones/{zone_id}/hours                            200  200    200   200     200     200        200   200   200
PUT    /api/v1/zones/{zone_id}/hours                            401  403    403   403     403     403        200   403   200
POST   /api/v1/zones/{zone_id}/reactivate                       401  403    403   403     403     403        200   403   200
GET    /feeds/branches/{name}                                   200  200    200   200     200     200        200   200   200
HEAD   /feeds/branches/{name}                                   200  200    200   200     200     200        200   200   200
GET    /feeds/events.ics                                        200  200    200   200     200     200        200   200   200
HEAD   /feeds/events.ics                                        200  200    200   200     200     200        200   200   200
GET    /feeds/events/{name}                                     200  200    200   200     200     200        200   200   200
HEAD   /feeds/events/{name}                                     200  200    200   200     200     200        200   200   200
GET    /feeds/private/{name}                                    200  200    200   200     200     200        200   200   200
HEAD   /feeds/private/{name}                                    200  200    200   200     200     200        200   200   200
GET    /feeds/zones/{name}                                      200  200    200   200     200     200        200   200   200
HEAD   /feeds/zones/{name}                                      200  200    200   200     200     200        200   200   200
"""


def _parse(table: str) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    lines = [line for line in table.strip().splitlines() if line.strip()]
    assert lines[0].split()[1:] == list(WHO), f"the header of EXPECTED_TABLE must name the callers {WHO}"
    for line in lines[1:]:
        method, path, *answers = line.split()
        assert len(answers) == len(WHO), f"{method} {path}: {len(answers)} answers for {len(WHO)} callers"
        assert f"{method} {path}" not in rows, f"{method} {path} is in the table twice"
        rows[f"{method} {path}"] = dict(zip(WHO, map(int, answers)))
    return rows


EXPECTED = _parse(EXPECTED_TABLE)


def _operations() -> list[str]:
    document = create_app().openapi_schema.to_schema()
    methods = ("get", "head", "post", "put", "patch", "delete")
    return sorted(f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item if method in methods)


OPERATIONS = _operations()


def row(operation: str, answers: dict[str, int]) -> str:
    """One line of the table, aligned like its header."""
    method, path = operation.split(" ", 1)
    cells = "".join(f"{answers[who]:<{len(who) + 1}}" for who in WHO)
    return f"{method:<6} {path:<56} {cells}".rstrip()


HEADER = f"{'operation':<63} " + " ".join(WHO)


# --- the world: the objects asked about, built once; fresh ones for calls that change them --------------------


@dataclass
class Call:
    params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    json: Any = None


class World:
    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.params: dict[str, Any] = {}
        self.serial = itertools.count(1)
        self.window_serial = itertools.count(1)  # availability windows' own days (the shared serial can run past the 3-year window in a random order)

    async def setup(self) -> None:
        for who, login in LOGINS.items():
            self.ids[who] = (await Account.select(Account.id).where(Account.email == login).first())["id"]
            await self.refresh_token(who)
        self.branch = await dates.branch(BRANCH)
        self.tz = self.branch.tz
        self.zone = next(zone for zone in self.branch.zones if zone.name == "Коворкинг")
        self.hall = next(zone for zone in self.branch.zones if zone.kind == "conference_hall")
        # booking slots: ordinary open days from a week ahead, from an hour after opening, a slot apart
        self._slots = self._booking_slots()
        self._own_days = self._booking_slots(after_days=35, per_day=1)
        self._visit_days = self._programme_days()
        card = await self.get("/api/v1/me", "reader")
        event = await self.event()
        booking = await self.booking()
        visit = await self.visit()
        feeds = await self.get("/api/v1/me/feeds", "reader")
        consultation = await self.consultation()
        survey = await self.client.post("/api/v1/guidance/survey/responses", json={"answers": await self.survey_answers()}, headers=self.headers("reader"))
        assert survey.status_code == 201, survey.text
        self.params = {
            "slug": BRANCH,
            "zone_id": self.zone.id,
            "booking_id": booking,
            "card_number": card["card"]["card_number"],
            "event_id": event,
            "registration_id": await self.registration(),
            "programme_id": await self.programme("Литературная гостиная"),  # held in this branch only
            "visit_id": visit,
            "consultation_id": consultation,
            "response_id": survey.json()["id"],
            "counsellor_id": self.ids["counsellor"],
            "private_name": self.private_name(feeds),
        }

    @staticmethod
    def private_name(feeds: dict) -> str:
        return feeds["feeds"][0]["links"]["url"].rsplit("/", 1)[1].removesuffix(".ics")

    # tokens and plain requests
    async def refresh_token(self, who: str) -> None:
        principal = await accounts_service.load_principal(self.ids[who])
        self.tokens[who] = (await accounts_service.issue_token(principal))[0]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}

    async def get(self, path: str, who: str) -> Any:
        answer = await self.client.get(path, headers=self.headers(who))
        assert answer.status_code == 200, f"{path}: {answer.text}"
        return answer.json()

    async def post(self, path: str, who: str, body: Any = None, status: int = 201) -> Any:
        answer = await self.client.post(path, json=body, headers=self.headers(who))
        assert answer.status_code == status, f"{path}: {answer.text}"
        return answer.json()

    # bookings of the reader in the co-working zone
    def _booking_slots(self, after_days: int = 7, per_day: int = 10):
        step = timedelta(minutes=self.zone.rules.slot)
        for on in dates.open_days(self.zone.schedule, 60, after_days=after_days):
            opens, closes = dates.hours_of(self.zone.schedule, on, self.tz)
            start = opens + timedelta(hours=1)
            for _ in range(per_day):
                if start + 4 * step > closes - timedelta(hours=1):
                    break
                yield start, start + 2 * step
                start += 4 * step  # room for the zone's buffers

    def _programme_days(self):
        """Ordinary open days of the hall from Tuesday to Friday (when the career game runs), from 10 days on."""
        after = 10
        while True:
            on = dates.open_day(self.hall.schedule, after_days=after, weekdays=[1, 2, 3, 4], tz=self.tz)
            yield on
            after = (on - dates.today(self.tz)).days + 1

    def slot(self) -> tuple[datetime, datetime]:
        return next(self._slots)

    async def booking(self, status: str = "confirmed", in_progress: bool = False) -> int:
        # the fresh bookings of earlier calls are let go, so that the reader's weekly quota stays free
        await Booking.update({Booking.status: CANCELLED}).where(
            (Booking.holder == self.ids["reader"]) & (Booking.id != self.params.get("booking_id", 0)) & (Booking.status.is_in(["confirmed", PENDING]))
        )
        if in_progress:  # one at a time: whatever holds the zone around now (the one before, demo bookings) is let go
            starts = rooms_rules.snap(clock.now(), self.zone.rules.slot, self.tz, up=False) - timedelta(minutes=self.zone.rules.slot)
            interval = (starts, starts + timedelta(minutes=4 * self.zone.rules.slot))
            await Booking.update({Booking.status: CANCELLED}).where(
                (Booking.zone == self.zone.id) & (Booking.starts_at < interval[1] + timedelta(hours=3)) & (Booking.ends_at > interval[0] - timedelta(hours=3))
            )
        else:
            interval = self.slot()
        reservation = bookings.Reservation(
            zone_id=self.zone.id, starts_at=interval[0], ends_at=interval[1], holder_kind=HOLDER_READER, holder_id=self.ids["reader"],
            purpose="Проект", actor_id=self.ids["reader"], status=PENDING if status == "pending" else "confirmed",
        )
        with clock.at(interval[0] - timedelta(hours=2)):
            return (await bookings.reserve(reservation)).bookings[0].id

    # events of the branch, the reader's sign-ups
    async def event(self, starts_in: timedelta = timedelta(days=9)) -> int:
        starts = clock.now() + starts_in
        body = {
            "title": f"Лекция {next(self.serial)}", "category": "lecture", "branch": BRANCH, "capacity": 20,
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
        }
        return (await self.post("/api/v1/events", "staff", body))["event"]["id"]

    async def registration(self, event: int | None = None) -> int:
        return (await self.post(f"/api/v1/events/{event or await self.event()}/registrations", "reader", {"seats": 1}))["id"]

    async def ticket_for_today(self) -> str:
        event = await self.event(starts_in=timedelta(minutes=20))
        return (await self.post(f"/api/v1/events/{event}/registrations", "reader", {"seats": 1}))["ticket_code"]

    # school visits requested by school 5 in the branch, each on a day of its own
    async def visit(self, proposed: bool = False) -> int:
        on = next(self._visit_days)
        body = {
            "programme_id": await self.programme(), "branch": BRANCH, "class_name": f"{8 + next(self.serial) % 4}Б",
            "windows": [{"starts_at": dates.at(on, 11, tz=self.tz).isoformat(), "ends_at": dates.at(on, 15, tz=self.tz).isoformat()}],
            "group_size": 20, "adults": 2,
        }
        body["grade"] = int(body["class_name"][:-1])
        visit = (await self.post("/api/v1/visits", "teacher", body))["id"]
        if proposed:
            await self.post(f"/api/v1/visits/{visit}/propose", "staff", {"starts_at": dates.at(on, 12, tz=self.tz).isoformat(), "zone_id": self.hall.id}, status=200)
        return visit

    async def programme(self, title: str = "Профориентационная игра") -> int:
        """A demo programme of the branch by the start of its title (grades 8-11, Tuesday to Friday)."""
        programmes = await self.get(f"/api/v1/programmes?branch={BRANCH}&grade=8&page_size=100", "admin")
        return next(p["id"] for p in programmes["items"] if p["title"].startswith(title))

    # consultations of the reader with the counsellor (rows made directly: their booking rules have tests of their own)
    async def consultation(self) -> int:
        # a day of its own at 07:00, before any counsellor receives, so it takes no free slot
        starts = dates.at(dates.today(self.tz) + timedelta(days=20 + next(self.serial)), 7, tz=self.tz)
        row = Consultation(
            counsellor=self.ids["counsellor"], reader=self.ids["reader"], branch=self.branch.id, starts_at=starts,
            ends_at=starts + timedelta(minutes=45), status="booked", topic="Колледж или 10 класс", created_at=clock.now(),
        )
        await row.save()
        return row.id

    async def free_slot(self) -> dict[str, Any]:
        start = dates.today() + timedelta(days=3)
        slots = await self.get(f"/api/v1/guidance/slots?start={start}&end={start + timedelta(days=40)}", "anon")
        slot = (slots["items"] if isinstance(slots, dict) else slots)[0]
        return {"counsellor_id": slot["counsellor_id"], "starts_at": slot["starts_at"]}

    async def survey_answers(self) -> dict[str, Any]:
        survey = await self.get("/api/v1/guidance/survey", "anon")
        return {item["id"]: item["options"][0]["value"] for item in survey["items"]}


Recipe = Callable[[World, str], Awaitable[Call]]


def _fresh(name: str, make: Callable[[World], Awaitable[int]], json: Any = None) -> Recipe:
    async def recipe(world: World, who: str) -> Call:
        return Call(params={name: await make(world)}, json=json)

    return recipe


def _body(json: Any, unthrottled: bool = False) -> Recipe:
    async def recipe(world: World, who: str) -> Call:
        if unthrottled:  # every caller asks from the same test address: start each one with a clean slate
            await LoginAttempt.delete(force=True)
        return Call(json=json)

    return recipe


async def _sign_up(world: World, who: str) -> Call:
    walk_in = {"card_number": world.params["card_number"]} if who in ("staff", "other", "admin") else {}
    return Call(params={"event_id": await world.event()}, json={"seats": 1, **walk_in})


async def _query(query: dict[str, Any]) -> Call:
    return Call(query=query)


async def _params(params: dict[str, Any], json: Any = None) -> Call:
    return Call(params=params, json=json)


async def _reschedule(world: World, who: str) -> Call:
    starts, ends = world.slot()
    return Call(params={"booking_id": await world.booking()}, json={"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})


async def _extend(world: World, who: str) -> Call:
    booking = await world.booking(in_progress=True)
    row = await Booking.select(Booking.ends_at).where(Booking.id == booking).first()
    return Call(params={"booking_id": booking}, json={"ends_at": (row["ends_at"] + timedelta(minutes=world.zone.rules.slot)).isoformat()})


async def _new_booking(world: World, who: str) -> Call:
    starts, ends = next(world._own_days)  # far from the bookings made for other calls: the reader's weekly quota is free
    return Call(json={"zone_id": world.zone.id, "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "purpose": "Проект"})


async def _new_reader(world: World, who: str) -> Call:
    await LoginAttempt.delete(force=True)  # registrations are throttled by address
    n = uuid.uuid4().hex[:8]
    return Call(json={
        "full_name": "Пётр Иванович Сидоров", "birth_date": dates.birth_date(30).isoformat(), "home_branch": BRANCH, "password": "a-long-secret-1",
        "consent_personal_data": True, "email": f"new.{n}@example.ru",
    })


async def _reset_confirm(world: World, who: str) -> Call:
    from src.accounts import tokens

    student = (await Account.select(Account.id).where(Account.email == "student@libspace.local").first())["id"]
    issued = await tokens.issue(student, tokens.RESET)
    return Call(json={"token": issued.token, "password": "libspace-demo", "consent_personal_data": True})


async def _logout(world: World, who: str) -> Call:
    if who in world.tokens:  # its own token: the shared one must live on
        principal = await accounts_service.load_principal(world.ids[who])
        return Call(query={"__token": (await accounts_service.issue_token(principal))[0]})
    return Call()


async def _new_event(world: World, who: str) -> Call:
    starts = clock.now() + timedelta(days=12)
    return Call(json={"title": "Лекция", "category": "lecture", "branch": BRANCH, "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()})


async def _check_in(world: World, who: str) -> Call:
    return Call(json={"code": await world.ticket_for_today()})


async def _new_visit(world: World, who: str) -> Call:
    on = next(world._visit_days)
    return Call(json={
        "programme_id": await world.programme(), "branch": BRANCH, "class_name": "9А", "grade": 9, "group_size": 20, "adults": 2,
        "windows": [{"starts_at": dates.at(on, 11, tz=world.tz).isoformat(), "ends_at": dates.at(on, 15, tz=world.tz).isoformat()}],
    })


async def _visit_confirm(world: World, who: str) -> Call:
    visit = await world.visit()
    window = (await world.get(f"/api/v1/visits/{visit}", "admin"))["windows"][0]
    return Call(params={"visit_id": visit}, json={"zone_id": world.hall.id, "starts_at": window["starts_at"]})


async def _visit_propose(world: World, who: str) -> Call:
    visit = await world.visit()
    window = (await world.get(f"/api/v1/visits/{visit}", "admin"))["windows"][0]
    starts = datetime.fromisoformat(window["starts_at"]) + timedelta(hours=1)
    return Call(params={"visit_id": visit}, json={"starts_at": starts.isoformat(), "zone_id": world.hall.id})


async def _consultation_book(world: World, who: str) -> Call:
    # readers hold at most 10 upcoming consultations: the fresh ones other calls made are let go first
    await Consultation.update({Consultation.status: "cancelled"}).where(
        (Consultation.reader == world.ids["reader"]) & (Consultation.id != world.params["consultation_id"])
    )
    return Call(json=await world.free_slot())


def _window_body(world: World) -> dict[str, Any]:
    """A Tuesday window at the branch (open 11-20) valid on two days of its own, far ahead: no call overlaps another."""
    first = dates.today() + timedelta(days=400 + 2 * next(world.window_serial))
    return {"branch": BRANCH, "weekday": 1, "starts": "12:00", "ends": "13:00", "valid_from": first.isoformat(), "valid_until": (first + timedelta(days=1)).isoformat()}


def _availability(kind: str, scoped: bool) -> Recipe:
    """A body to add (``window`` or ``exception``) or, with ``remove_`` before the kind, a fresh row of the
    counsellor's to remove; ``scoped`` adds the counsellor's id to the path."""

    async def recipe(world: World, who: str) -> Call:
        from src.guidance import availability as guidance_availability

        params = {"counsellor_id": world.ids["counsellor"]} if scoped else {}
        window = _window_body(world)
        exception = {"on": window["valid_from"], "kind": "off"}
        if kind == "window":
            return Call(params=params, json=window)
        if kind == "exception":
            return Call(params=params, json=exception)
        actor = await accounts_service.load_principal(world.ids["counsellor"])
        if kind == "remove_window":
            added = await guidance_availability.add_window(actor, actor.id, guidance_availability.WindowInput(
                BRANCH, 1, datetime.strptime("12:00", "%H:%M").time(), datetime.strptime("13:00", "%H:%M").time(),
                valid_from=datetime.fromisoformat(window["valid_from"]).date(), valid_until=datetime.fromisoformat(window["valid_until"]).date(),
            ))
            return Call(params=params | {"window_id": added.id})
        added = await guidance_availability.add_exception(actor, actor.id, guidance_availability.ExceptionInput(datetime.fromisoformat(exception["on"]).date(), "off"))
        return Call(params=params | {"exception_id": added.id})

    return recipe


async def _survey(world: World, who: str) -> Call:
    return Call(json={"answers": await world.survey_answers()})


async def _new_branch(world: World, who: str) -> Call:
    return Call(json={"slug": f"new-branch-{next(world.serial)}", "name": "Новый филиал"})


def _fresh_branch(active: bool) -> Recipe:
    """A branch of its own, so that deactivating one leaves the branch the other calls ask about open."""

    async def recipe(world: World, who: str) -> Call:
        from src.branches import admin

        slug = f"spare-{next(world.serial)}"
        admin_principal = await accounts_service.load_principal(world.ids["admin"])
        await admin.create_branch(admin_principal, {"slug": slug, "name": f"Запасной филиал {slug}"})
        if not active:
            await admin.set_active(admin_principal, slug, False)
        return Call(params={"slug": slug})

    return recipe


async def _same_hours(world: World, who: str) -> Call:
    weekly = (await world.get(f"/api/v1/branches/{BRANCH}/hours", "anon"))["weekly"]
    return Call(json={"weekly": {day: [{"opens": i["opens"], "closes": i["closes"]} for i in intervals] for day, intervals in weekly.items()}})


async def _exception(world: World, who: str) -> Call:
    on = dates.today(world.tz) + timedelta(days=500 + next(world.serial))  # far past every object the other calls make
    return Call(json={"date": on.isoformat(), "reason": "Короткий день", "hours": [{"opens": "10:00", "closes": "14:00"}]})


async def _exception_to_remove(world: World, who: str) -> Call:
    on = dates.today(world.tz) + timedelta(days=700 + next(world.serial))  # a short day of its own, far past everything else
    await world.post(f"/api/v1/branches/{BRANCH}/exceptions", "admin", {"date": on.isoformat(), "reason": "Короткий день", "hours": [{"opens": "10:00", "closes": "11:00"}]})
    return Call(params={"slug": BRANCH, "on": on.isoformat()}, json={})


async def _closure(world: World, who: str) -> Call:
    on = dates.today(world.tz) + timedelta(days=600 + next(world.serial))
    return Call(json={"date": on.isoformat(), "reason": "Ремонт кровли", "kind": "repair"})


async def _attendance(world: World, who: str) -> Call:
    """An event without sign-up (no capacity) that started ten minutes ago."""
    from src.events.tables import Event

    starts = clock.now() + timedelta(days=2)
    body = {"title": "Выставка", "category": "exhibition", "branch": BRANCH, "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat()}
    event = (await world.post("/api/v1/events", "staff", body))["event"]["id"]
    started = clock.now() - timedelta(minutes=10)
    await Event.update({Event.starts_at: started, Event.ends_at: started + timedelta(hours=2)}).where(Event.id == event)
    return Call(params={"event_id": event}, json={"total": 12, "children": 5, "youth": 4})


def _spare_card(json: Any = None, blocked: bool = False) -> Recipe:
    """A reader of their own (made in the tables), so that replacing or blocking a card leaves the shared one."""

    async def recipe(world: World, who: str) -> Call:
        from src.accounts import desk
        from src.accounts.tables import ReaderCard
        from src.demo import card_for

        seed = next(world.serial)
        now = clock.now()
        account = Account(role="reader", email=f"spare{seed}@test.local", full_name=f"Читатель {seed}", password_hash="", created_at=now, updated_at=now)
        await account.save()
        card = card_for(str(7000 + seed))
        await ReaderCard.insert(ReaderCard(account=account.id, card_number=card, birth_date=dates.birth_date(30), home_branch=world.branch.id, consent_at=now, created_at=now))
        if blocked:
            await desk.block(await accounts_service.load_principal(world.ids["admin"]), card, "Долг")
        return Call(params={"card_number": card}, json=json)

    return recipe


async def _child_card(world: World) -> tuple[int, str, Any]:
    """A child of 10 of their own (made in the tables): (account id, card number, birth date)."""
    from src.accounts.tables import ReaderCard
    from src.demo import card_for

    seed = next(world.serial)
    now = clock.now()
    account = Account(role="reader", email=f"child{seed}@test.local", full_name=f"Ребёнок {seed}", password_hash="", created_at=now, updated_at=now)
    await account.save()
    card, birth = card_for(str(8000 + seed)), dates.birth_date(10)
    await ReaderCard.insert(ReaderCard(account=account.id, card_number=card, birth_date=birth, home_branch=world.branch.id, consent_at=now, created_at=now))
    return account.id, card, birth


async def _child_to_link(world: World, who: str) -> Call:
    _account, card, birth = await _child_card(world)
    return Call(json={"card_number": card, "birth_date": birth.isoformat()})


async def _linked_child(world: World, who: str) -> Call:
    """A child linked to the reader (the teenager of the columns is the guardian here)."""
    from src.accounts.tables import Guardianship

    child, _card, _birth = await _child_card(world)
    rows = await Guardianship.insert(Guardianship(guardian=world.ids["reader"], child=child, status="active", created_at=clock.now())).returning(Guardianship.id)
    return Call(params={"link_id": rows[0]["id"]})


async def _childs_link(world: World, who: str) -> Call:
    """A child's card linked to the reader, as staff at the desk see it: the child's number and the link."""
    from src.accounts.tables import Guardianship

    child, card, _birth = await _child_card(world)
    rows = await Guardianship.insert(Guardianship(guardian=world.ids["reader"], child=child, status="active", created_at=clock.now())).returning(Guardianship.id)
    return Call(params={"card_number": card, "link_id": rows[0]["id"]})


def _serial_body(make: Callable[[int], Any]) -> Recipe:
    """A body with a number of its own (codes, slugs and e-mails are unique)."""

    async def recipe(world: World, who: str) -> Call:
        return Call(json=make(next(world.serial)))

    return recipe


def _added_code(which: str) -> Recipe:
    """A kind or feature of its own that an admin added, to rename."""

    async def recipe(world: World, who: str) -> Call:
        code = f"added_{next(world.serial)}"
        await world.post(f"/api/v1/{which}", "admin", {"code": code, "name": "Добавлено"})
        return Call(params={"code": code}, json={"name": "Переименовано"})

    return recipe


def _fresh_zone(active: bool) -> Recipe:
    """A zone of its own in the branch, so that deactivating one leaves the zone the other calls ask about."""

    async def recipe(world: World, who: str) -> Call:
        zone = (await world.post("/api/v1/zones", "admin", {"branch": BRANCH, "name": f"Зал {next(world.serial)}", "kind": "coworking", "capacity": 5}))["id"]
        if not active:
            await world.post(f"/api/v1/zones/{zone}/deactivate", "admin", status=200)
        return Call(params={"zone_id": zone})

    return recipe


async def _fresh_staff(world: World, who: str) -> Call:
    body = {"email": f"staff.{next(world.serial)}@test.local", "full_name": "Сотрудник Новый", "role": "staff", "branches": [BRANCH]}
    account = (await world.post("/api/v1/staff", "admin", body))["id"]
    return Call(params={"account_id": account}, json={"full_name": "Сотрудник Переименованный"})


def _programme_body(n: int) -> dict[str, Any]:
    return {
        "title": f"Программа {n}", "topic": "career", "duration_minutes": 60, "grade_min": 5, "grade_max": 9, "group_min": 5, "group_max": 25,
        "branches": [BRANCH], "zone_kinds": ["conference_hall"], "hours": [{"weekday": 2, "starts": "11:00", "ends": "16:00"}],
    }


async def _fresh_booking(world: World) -> int:
    return await world.booking()


RECIPES: dict[str, Recipe] = {
    "POST /api/v1/auth/activate": _body({"card_number": "100200300", "birth_date": "1990-05-05", "contact": "nobody@example.ru"}, unthrottled=True),
    "POST /api/v1/auth/logout": _logout,
    "POST /api/v1/auth/password-reset": _body({"login": "student@libspace.local"}, unthrottled=True),
    "POST /api/v1/auth/password-reset/confirm": _reset_confirm,
    "POST /api/v1/auth/token": _body({"login": "student@libspace.local", "password": "libspace-demo"}, unthrottled=True),
    "POST /api/v1/me/password": _body({"current_password": "libspace-demo", "new_password": "libspace-demo"}),
    "POST /api/v1/readers": _new_reader,
    "POST /api/v1/readers/{card_number}/erase": _spare_card({"request_reference": "Заявление № 12"}),
    "POST /api/v1/me/erase": _body({"password": "not-the-password-1"}),  # the right one would erase the shared callers
    "POST /api/v1/zones": _serial_body(lambda n: {"branch": BRANCH, "name": f"Комната {n}", "kind": "coworking", "capacity": 5}),
    "PATCH /api/v1/zones/{zone_id}": _body({"description": "Тихая зона для работы"}),
    "POST /api/v1/zones/{zone_id}/deactivate": _fresh_zone(active=True),
    "PUT /api/v1/zones/{zone_id}/hours": _body({"weekly": {}}),  # the zone keeps its branch's hours: nothing changes
    "POST /api/v1/zones/{zone_id}/reactivate": _fresh_zone(active=False),
    "POST /api/v1/zone-kinds": _serial_body(lambda n: {"code": f"kind_{n}", "name": f"Вид {n}"}),
    "POST /api/v1/zone-features": _serial_body(lambda n: {"code": f"feature_{n}", "name": f"Оснащение {n}"}),
    "PATCH /api/v1/zone-kinds/{code}": _added_code("zone-kinds"),
    "PATCH /api/v1/zone-features/{code}": _added_code("zone-features"),
    "POST /api/v1/staff": _serial_body(lambda n: {"email": f"invited.{n}@test.local", "full_name": "Приглашённый Сотрудник", "role": "staff", "branches": [BRANCH]}),
    "PATCH /api/v1/staff/{account_id}": _fresh_staff,
    "POST /api/v1/schools": _serial_body(lambda n: {"slug": f"school-x{n}", "name": f"Школа № {n}"}),
    "PATCH /api/v1/schools/{slug}": lambda world, who: _params({"slug": "school-14"}, {"contact_phone": "+74162000015"}),
    "POST /api/v1/programmes": _serial_body(_programme_body),
    "PATCH /api/v1/programmes/{programme_id}": _body({"description": "Командная игра о профессиях Приамурья."}),
    "GET /api/v1/readers": lambda world, who: _query({"q": "Орлов"}),
    "PATCH /api/v1/readers/{card_number}": _spare_card({"phone": "+7 914 000-00-00"}),
    "POST /api/v1/readers/{card_number}/replace": _spare_card({"reason": "Потерян"}),
    "POST /api/v1/readers/{card_number}/block": _spare_card({"reason": "Не вернул книги"}),
    "POST /api/v1/readers/{card_number}/unblock": _spare_card({"reason": "Вернул книги"}, blocked=True),
    "POST /api/v1/readers/{card_number}/access-code": _spare_card(),
    "POST /api/v1/me/children": _child_to_link,
    "POST /api/v1/me/children/{link_id}/unlink": _linked_child,
    "POST /api/v1/readers/{card_number}/guardians/{link_id}/unlink": _childs_link,
    "POST /api/v1/me/guardians/agree": _body({"code": "WRONG123"}),
    "POST /api/v1/branches": _new_branch,
    "PATCH /api/v1/branches/{slug}": _body({"phone": "+7 4162 00-00-00"}),
    "POST /api/v1/branches/{slug}/deactivate": _fresh_branch(active=True),
    "POST /api/v1/branches/{slug}/reactivate": _fresh_branch(active=False),
    "PUT /api/v1/branches/{slug}/hours": _same_hours,
    "POST /api/v1/branches/{slug}/exceptions": _exception,
    "POST /api/v1/branches/{slug}/closures": _closure,
    "POST /api/v1/branches/{slug}/exceptions/{on}/remove": _exception_to_remove,
    "POST /api/v1/events/{event_id}/attendance": _attendance,
    "GET /api/v1/stats/annual": lambda world, who: _query({"year": dates.today().year}),
    "POST /api/v1/bookings": _new_booking,
    "POST /api/v1/bookings/{booking_id}/cancel": _fresh("booking_id", _fresh_booking, {"scope": "one", "reason": "Зал на ремонте"}),
    "POST /api/v1/bookings/{booking_id}/approve": _fresh("booking_id", lambda world: world.booking(status="pending")),
    "POST /api/v1/bookings/{booking_id}/decline": _fresh("booking_id", lambda world: world.booking(status="pending"), {"reason": "Зал на ремонте"}),
    "POST /api/v1/bookings/{booking_id}/reschedule": _reschedule,
    "POST /api/v1/bookings/{booking_id}/extend": _extend,
    "POST /api/v1/bookings/{booking_id}/end": _fresh("booking_id", lambda world: world.booking(in_progress=True)),
    "POST /api/v1/events": _new_event,
    "PATCH /api/v1/events/{event_id}": _fresh("event_id", lambda world: world.event(), {"capacity": 30}),
    "POST /api/v1/events/{event_id}/cancel": _fresh("event_id", lambda world: world.event(), {"reason": "Лектор заболел"}),
    "POST /api/v1/events/{event_id}/registrations": _sign_up,
    "POST /api/v1/registrations/{registration_id}/cancel": _fresh("registration_id", lambda world: world.registration()),
    "POST /api/v1/registrations/{registration_id}/confirm": _fresh("registration_id", lambda world: world.registration()),
    "POST /api/v1/checkins": _check_in,
    "POST /api/v1/visits": _new_visit,
    "POST /api/v1/visits/{visit_id}/accept": _fresh("visit_id", lambda world: world.visit(proposed=True)),
    "POST /api/v1/visits/{visit_id}/cancel": _fresh("visit_id", lambda world: world.visit(), {"reason": "Карантин в школе"}),
    "POST /api/v1/visits/{visit_id}/confirm": _visit_confirm,
    "POST /api/v1/visits/{visit_id}/decline": _fresh("visit_id", lambda world: world.visit(), {"reason": "Зал занят"}),
    "POST /api/v1/visits/{visit_id}/propose": _visit_propose,
    "POST /api/v1/me/feeds/regenerate": _body(None),
    "PUT /api/v1/me/reminders": _body({"enabled": True, "hours": [24]}),
    "PUT /api/v1/me/messages": _body({"choices": [{"category": "reminders", "channel": "telegram", "enabled": False}]}),
    "POST /api/v1/guidance/consultations": _consultation_book,
    "POST /api/v1/guidance/consultations/{consultation_id}/cancel": _fresh("consultation_id", lambda world: world.consultation(), {"reason": "Консультант заболел"}),
    "PATCH /api/v1/guidance/consultations/{consultation_id}": _fresh("consultation_id", lambda world: world.consultation(), {"next_steps": "Прийти на мастер-класс"}),
    "POST /api/v1/guidance/survey/responses": _survey,
    "POST /api/v1/me/availability": _availability("window", scoped=False),
    "POST /api/v1/me/availability/exceptions": _availability("exception", scoped=False),
    "POST /api/v1/me/availability/{window_id}/remove": _availability("remove_window", scoped=False),
    "POST /api/v1/me/availability/exceptions/{exception_id}/remove": _availability("remove_exception", scoped=False),
    "POST /api/v1/guidance/counsellors/{counsellor_id}/availability": _availability("window", scoped=True),
    "POST /api/v1/guidance/counsellors/{counsellor_id}/availability/exceptions": _availability("exception", scoped=True),
    "POST /api/v1/guidance/counsellors/{counsellor_id}/availability/{window_id}/remove": _availability("remove_window", scoped=True),
    "POST /api/v1/guidance/counsellors/{counsellor_id}/availability/exceptions/{exception_id}/remove": _availability("remove_exception", scoped=True),
}
PATH_NAMES = {"name": {"/feeds/branches/": BRANCH + ".ics", "/feeds/events/": "event_id", "/feeds/zones/": "zone_id", "/feeds/private/": "private_name"}}


async def _default(world: World, who: str, operation: str) -> Call:
    """Path parameters by name from the world's objects; no body."""
    path = operation.split(" ", 1)[1]
    params: dict[str, Any] = {}
    for name in (part[1:-1] for part in path.split("/") if part.startswith("{")):
        if name == "name":
            prefix = path.split("{")[0]
            value = PATH_NAMES["name"][prefix]
            params[name] = f"{world.params[value]}.ics" if value in world.params else value
        else:
            assert name in world.params, f"{operation}: no value for the path parameter {name!r}: add it to World.params or a recipe to RECIPES"
            params[name] = world.params[name]
    return Call(params=params)


async def ask(world: World, operation: str, who: str) -> int:
    recipe = RECIPES.get(operation)
    call = await recipe(world, who) if recipe else await _default(world, who, operation)
    if not call.params and "{" in operation:
        call.params = (await _default(world, who, operation)).params
    method, path = operation.split(" ", 1)
    url = path.format(**call.params)
    headers = world.headers(who)
    query = dict(call.query)
    if "__token" in query:
        headers = {"Authorization": f"Bearer {query.pop('__token')}"}
    answer = await world.client.request(method, url, params=query, json=call.json, headers=headers)
    if operation == "POST /api/v1/me/password" and who in world.tokens:
        await world.refresh_token(who)  # every token of the account stopped working
    if operation == "POST /api/v1/me/feeds/regenerate" and who == "reader":
        world.params["private_name"] = world.private_name(await world.get("/api/v1/me/feeds", "reader"))
    return answer.status_code


# --- the tests --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clean():
    """This module builds its world once (``world``) and empties the tables at its end, not after each test."""
    yield


@pytest.fixture(scope="module")
async def world(database, app):
    from src import demo

    await demo.load(with_events=False)
    branch = await dates.branch(BRANCH)
    instant = dates.working_instant(branch.schedule, branch.tz, hours_left=5)
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            made = World(client)
            await made.setup()
            yield made
    finally:
        traveller.stop()
        await empty_tables(database)


async def test_the_table_is_the_served_openapi_document(world):
    document = (await world.client.get("/schema/openapi.json")).json()
    served = sorted(f"{m.upper()} {p}" for p, item in document["paths"].items() for m in item if m in ("get", "head", "post", "put", "patch", "delete"))
    assert served == OPERATIONS
    missing = [operation for operation in OPERATIONS if operation not in EXPECTED]
    stale = [operation for operation in EXPECTED if operation not in OPERATIONS]
    assert not missing and not stale, (
        f"\n{len(missing)} operations of /schema/openapi.json have no row in EXPECTED_TABLE ({__file__}):\n"
        + "".join(f"  {operation}\n" for operation in missing)
        + "Each one's test_every_caller_gets_the_expected_answer[...] prints its row with the answers it got: check them, then paste it.\n"
        + "".join(f"Remove the row of {operation}: it is not in the document any more.\n" for operation in stale)
    )


@pytest.mark.parametrize("operation", sorted(set(OPERATIONS) | set(EXPECTED)))
async def test_every_caller_gets_the_expected_answer(world, operation):
    assert operation in OPERATIONS, f"{operation} is in EXPECTED_TABLE but not in /schema/openapi.json: remove its row"
    got = {who: await ask(world, operation, who) for who in WHO}
    if operation not in EXPECTED:
        pytest.fail(
            f"\n{operation} has no row in EXPECTED_TABLE ({__file__}). Add one, in path order, in this format "
            f"(these are the answers it gave now: check each before pasting; if a call needs a path parameter the world "
            f"does not have, or a body, add a recipe to RECIPES):\n\n{HEADER}\n{row(operation, got)}\n",
            pytrace=False,
        )
    expected = EXPECTED[operation]
    wrong = {who: (expected[who], got[who]) for who in WHO if expected[who] != got[who]}
    assert not wrong, f"{operation}: " + ", ".join(f"{who} expected {want}, got {have}" for who, (want, have) in wrong.items()) + f"\n  the row now: {row(operation, got)}"

