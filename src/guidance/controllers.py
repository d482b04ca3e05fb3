"""Career guidance API: thin handlers that call the service and map to Structs."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from src import bounds
from src.branches import service as branches_service
from src.config import get_settings
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance import schemas
from src.guidance import service as guidance_service
from src.guidance.constants import SURVEY_VERSION
from src.i18n import _
from src.pagination import Page, PageNumber, PageSize, paginate
from src.timeutil import today_in
from src.exceptions import Forbidden
from src.web.guards import requires_login, requires_reader

CardQuery = bounds.optional_line(40, description="A reader's card number (counsellors of the reader and admins)")


async def branches_by_id() -> dict:
    return {branch.id: branch for branch in await branches_service.list_branches()}


async def counsellor_names() -> dict[int, str]:
    return {c.id: c.full_name for c in await guidance_availability.counsellors()}


def consultation_for(viewer, view, branches):
    """The counsellor's shape (with private notes) only for whoever may read them; everyone else the reader's."""
    from src.accounts.permissions import can_read_private_notes

    if can_read_private_notes(viewer, view.counsellor_id):
        return schemas.counsellor_consultation_out(view, branches)
    return schemas.consultation_out(view, branches)


class GuidanceApi(Controller):
    path = "/api/v1/guidance"
    tags = ["guidance"]

    @get("/survey", summary="The interest survey: items with their options, and the five profession types")
    async def survey(self) -> schemas.SurveyOut:
        return schemas.survey_out(SURVEY_VERSION)

    @post("/survey/responses", summary="Score answers; a reader's result is saved, anyone else's only scored", status_code=201)
    async def respond(self, request: Request, data: JSONBody[schemas.ResponseIn]) -> schemas.ResultOut:
        principal = request.user
        if principal is not None and principal.is_reader and data.save:
            return schemas.result_out(await guidance_service.save_response(principal, data.answers))
        return schemas.result_out(guidance_service.evaluate(data.answers))

    @get("/survey/responses/{response_id:int}", summary="One saved result (the reader, their counsellors, admins)", guards=[requires_login])
    async def get_response(self, request: Request, response_id: FromPath[bounds.Id]) -> schemas.ResultOut:
        return schemas.result_out(await guidance_service.get_result(request.user, response_id))

    @get("/profile", summary="Saved survey results, newest first: the caller's, or a reader's by card", guards=[requires_login])
    async def profile(self, request: Request, card: CardQuery = None) -> schemas.ProfileOut:
        reader, results = await guidance_service.profile_for(request.user, card)
        return schemas.ProfileOut(
            reader=schemas.ReaderOut(reader.card_number, reader.full_name) if reader else None,
            latest=schemas.result_out(results[0]) if results else None,
            history=[schemas.result_out(r) for r in results],
        )

    @get("/fields", summary="Profession fields (IT, medicine, ...) with the types they belong to")
    async def fields(self) -> list[schemas.FieldOut]:
        return [schemas.field_out(f) for f in await guidance_service.list_fields()]

    @get("/counsellors", summary="Career counsellors")
    async def counsellors(self) -> list[schemas.CounsellorOut]:
        return [schemas.CounsellorOut(c.id, c.full_name) for c in await guidance_availability.counsellors()]

    @get("/recommendations", summary="Upcoming career workshops and consultations ranked for the reader, each with why", guards=[requires_reader])
    async def recommendations(self, request: Request) -> schemas.RecommendationsOut:
        latest, ranked = await guidance_service.recommendations(request.user)
        branches = await branches_by_id()
        fields = {f.slug: f for f in await guidance_service.list_fields()}
        titles = {"consultation": _("Consultation with a career counsellor")}
        return schemas.RecommendationsOut(
            top_types=list(latest.top_types) if latest else [],
            items=[schemas.recommendation_out(entry, branches, fields, titles) for entry in ranked],
        )

    @get("/slots", summary="Free consultation slots, by branch and counsellor, from start to end (dates, 62 days at most)")
    async def slots(
        self,
        branch: FromQuery[bounds.optional_line(64, description="Branch slug")] = None,
        counsellor: FromQuery[bounds.optional_count(1, description="Counsellor id")] = None,
        start: FromQuery[bounds.optional_line(40, description="First day (default today): a date, or a date-time with an offset (its day in the city)")] = None,
        end: FromQuery[bounds.optional_line(40, description="Last day, inclusive (default start + 13 days): a date, or a date-time with an offset")] = None,
        page: PageNumber = 1,
        page_size: PageSize = 100,
    ) -> Page[schemas.SlotOut]:
        tz = get_settings().tz
        first = bounds.filter_day(start, tz, "start") or today_in(tz)
        last = bounds.filter_day(end, tz, "end") or first + timedelta(days=13)
        found = await guidance_availability.slots(first, last, branch, counsellor)
        branches, names = await branches_by_id(), await counsellor_names()
        return paginate([schemas.slot_out(slot, branches, names) for slot in found], page, page_size)

    @get("/consultations", summary="The caller's consultations: a reader's own, or a counsellor's", guards=[requires_login])
    async def my_consultations(self, request: Request, page: PageNumber = 1, page_size: PageSize = 50) -> Page[schemas.ConsultationOut | schemas.CounsellorConsultationOut]:
        principal = request.user
        if principal.is_counsellor:
            today = today_in(get_settings().tz)
            found = await guidance_consultations.consultations_of_counsellor(principal.id, *guidance_consultations.day_range(today - timedelta(days=90), today + timedelta(days=90)))
        else:
            found = await guidance_consultations.consultations_of_reader(principal.id)
        branches = await branches_by_id()
        return paginate([consultation_for(principal, view, branches) for view in found], page, page_size)

    @post(
        "/consultations",
        summary="Book a consultation slot: counsellor_id and starts_at of a free slot (readers for themselves; staff for a reader by card_number)",
        status_code=201,
        guards=[requires_login],
    )
    async def book(self, request: Request, data: JSONBody[schemas.ConsultationIn]) -> schemas.ConsultationOut:
        view = await guidance_consultations.book(request.user, data.counsellor_id, data.starts_at, data.topic, card_number=data.card_number)
        return schemas.consultation_out(view, await branches_by_id())

    @get("/consultations/{consultation_id:int}", summary="One consultation (its reader, its counsellor, admins)", guards=[requires_login])
    async def get_consultation(self, request: Request, consultation_id: FromPath[bounds.Id]) -> schemas.ConsultationOut | schemas.CounsellorConsultationOut:
        view = await guidance_consultations.get_consultation(request.user, consultation_id)
        return consultation_for(request.user, view, await branches_by_id())

    @post("/consultations/{consultation_id:int}/cancel", summary="Cancel a consultation (readers up to the cut-off before the start)", status_code=200, guards=[requires_login])
    async def cancel(
        self, request: Request, consultation_id: FromPath[bounds.Id], data: JSONBody[schemas.CancelIn | None] = None
    ) -> schemas.ConsultationOut | schemas.CounsellorConsultationOut:
        """The counsellor or staff send ``{"reason": ...}`` (the reader receives it); readers may send nothing."""
        view = await guidance_consultations.cancel(request.user, consultation_id, reason=data.reason if data else "")
        return consultation_for(request.user, view, await branches_by_id())

    @patch("/consultations/{consultation_id:int}", summary="The counsellor writes next steps (the reader sees them) and private notes (never shown to the reader)", guards=[requires_login])
    async def write_notes(self, request: Request, consultation_id: FromPath[bounds.Id], data: JSONBody[schemas.NotesIn]) -> schemas.CounsellorConsultationOut:
        view = await guidance_consultations.write_notes(request.user, consultation_id, data.next_steps, data.private_notes)
        return schemas.counsellor_consultation_out(view, await branches_by_id())

    @get("/passport", summary="The career passport: results, attended workshops, consultations and next steps", guards=[requires_login])
    async def passport(self, request: Request, card: CardQuery = None) -> schemas.PassportOut:
        return schemas.passport_out(await guidance_service.passport(request.user, card), await branches_by_id())


# --- a counsellor's availability: weekly windows and dated exceptions ------------------------------------------
# The counsellor manages their own under /api/v1/me/availability; administrators any counsellor's under
# /api/v1/guidance/counsellors/{counsellor_id}/availability (the pages allow the same two).

StartQuery = FromQuery[bounds.FilterMoment]


def _whose(request: Request, counsellor_id: int | None) -> int:
    """The counsellor asked about: the path's, or on /me the caller (who must be a counsellor)."""
    if counsellor_id is not None:
        return counsellor_id
    if not request.user.is_counsellor:
        raise Forbidden(_("Only counsellors have availability of their own; administrators use /api/v1/guidance/counsellors/{counsellor_id}/availability"))
    return request.user.id


MINE = "/me/availability"
ANY = "/guidance/counsellors/{counsellor_id:int}/availability"
CounsellorPath = FromPath[bounds.optional_count(1, description="The counsellor (administrators; a counsellor may name themself)")]
WINDOWS = "weekly windows valid on some day from start to end (either open; a date, or a date-time with an offset)"
EXCEPTIONS = "date exceptions (days off, extra hours) from start (default today) to end (a date, or a date-time with an offset)"
WHO = "the caller's (/me, counsellors) or a counsellor's (the counsellor, administrators)"


class AvailabilityApi(Controller):
    """A counsellor's own availability under /api/v1/me/availability; administrators manage any counsellor's
    under /api/v1/guidance/counsellors/{counsellor_id}/availability (the pages allow the same two)."""

    path = "/api/v1"
    tags = ["guidance"]
    guards = [requires_login]

    @get([MINE, ANY], summary=f"The {WINDOWS}: {WHO}")
    async def windows(self, request: Request, counsellor_id: CounsellorPath = None, start: StartQuery = None, end: StartQuery = None) -> list[schemas.WindowOut]:
        tz = get_settings().tz
        weekly, _exceptions = await guidance_availability.listing(request.user, _whose(request, counsellor_id), bounds.filter_day(start, tz, "start"), bounds.filter_day(end, tz, "end"))
        branches = await branches_by_id()
        return [schemas.window_out(view, branches) for view in weekly]

    @post([MINE, ANY], summary="Add a weekly window: inside the branch's hours that weekday, at one of the counsellor's branches, not overlapping another", status_code=201)
    async def add_window(self, request: Request, data: JSONBody[schemas.WindowIn], counsellor_id: CounsellorPath = None) -> schemas.WindowOut:
        view = await guidance_availability.add_window(request.user, _whose(request, counsellor_id), data.service_input())
        return schemas.window_out(view, await branches_by_id())

    @post([MINE + "/{window_id:int}/remove", ANY + "/{window_id:int}/remove"], summary="Remove a weekly window (booked consultations stay)", status_code=204)
    async def remove_window(self, request: Request, window_id: FromPath[bounds.Id], counsellor_id: CounsellorPath = None) -> None:
        await guidance_availability.delete_window(request.user, window_id, _whose(request, counsellor_id))

    @get([MINE + "/exceptions", ANY + "/exceptions"], summary=f"The {EXCEPTIONS}: {WHO}")
    async def exceptions(self, request: Request, counsellor_id: CounsellorPath = None, start: StartQuery = None, end: StartQuery = None) -> list[schemas.ExceptionOut]:
        tz = get_settings().tz
        _weekly, dated = await guidance_availability.listing(request.user, _whose(request, counsellor_id), bounds.filter_day(start, tz, "start"), bounds.filter_day(end, tz, "end"))
        branches = await branches_by_id()
        return [schemas.exception_out(view, branches) for view in dated]

    @post([MINE + "/exceptions", ANY + "/exceptions"], summary="Add a date exception: off (whole day or a time range) or extra hours inside the branch's hours that date", status_code=201)
    async def add_exception(self, request: Request, data: JSONBody[schemas.ExceptionIn], counsellor_id: CounsellorPath = None) -> schemas.ExceptionOut:
        view = await guidance_availability.add_exception(request.user, _whose(request, counsellor_id), data.service_input())
        return schemas.exception_out(view, await branches_by_id())

    @post([MINE + "/exceptions/{exception_id:int}/remove", ANY + "/exceptions/{exception_id:int}/remove"], summary="Remove a date exception", status_code=204)
    async def remove_exception(self, request: Request, exception_id: FromPath[bounds.Id], counsellor_id: CounsellorPath = None) -> None:
        await guidance_availability.delete_exception(request.user, exception_id, _whose(request, counsellor_id))
