"""Career guidance pages: survey and result, recommendations, slots and booking, my consultations, passport;
for counsellors the day view, availability editor and notes; for staff the profession fields."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import service as accounts_service
from src.accounts.permissions import can_book_for_reader, can_manage_profession_fields, can_read_private_notes
from src.branches import service as branches_service
from src.config import get_settings
from src.exceptions import AppError, FieldError, Forbidden, Invalid
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance import content, rules
from src.guidance import service as guidance_service
from src.guidance.constants import CANCEL_HOURS, EXCEPTION_KINDS, SLOT_LENGTHS, TYPES
from src.guidance.controllers import branches_by_id, counsellor_names
from src.i18n import _, current_language
from src.timeutil import today_in
from src.web.forms import Form, back_with_errors, take_kept_form
from src.web.guards import requires_counsellor, requires_login, requires_reader, requires_staff
from src.web.templating import errors_by_field, flash, page

OptionalStr = Annotated[str, QueryParameter(required=False, max_length=200, pattern=bounds.ONE_LINE_PATTERN)]
OptionalInt = bounds.OptionalId


def chart(result: guidance_service.Result) -> list[dict]:
    """The five scores as rows for the bar chart (text values; the bars are decoration)."""
    language = current_language()
    return [
        {"type": t, "name": content.type_text(t, language).name, "score": result.scores[t], "percent": round(100 * result.scores[t] / rules.MAX_SCORE), "top": t in result.top_types}
        for t in TYPES
    ]


def result_context(result: guidance_service.Result, viewer=None) -> dict:
    """The result in words: to its reader, or about them to whoever else looks (a counsellor, staff)."""
    own = viewer is None or result.reader_id is None or viewer.id == result.reader_id
    summary, parts = rules.explain(result.scores, result.top_types, current_language(), own=own)
    return {"result": result, "chart": chart(result), "summary": summary, "parts": parts, "max_score": rules.MAX_SCORE}


# The survey in short steps (issue 16, item 10): a page per step, the answers kept in the session between steps
# (and through a log-in at the end: src/web/auth.py carries SURVEY_ANSWERS), the progress said in words.
SURVEY_ANSWERS = "survey_answers"
STEP_SIZE = 5
STEPS = [content.ITEMS[index:index + STEP_SIZE] for index in range(0, len(content.ITEMS), STEP_SIZE)]
NUMBER = {item.id: index + 1 for index, item in enumerate(content.ITEMS)}
STEP_OF = {item.id: step for step, items in enumerate(STEPS, start=1) for item in items}


def kept_answers(request: Request) -> dict[str, str]:
    """The answers given so far, each a valid option of its question (nothing else is kept)."""
    kept = request.session.get(SURVEY_ANSWERS) if "session" in request.scope else None
    if not isinstance(kept, dict):
        return {}
    return {key: value for key, value in kept.items() if key in content.ITEMS_BY_ID and value in {o.value for o in content.ITEMS_BY_ID[key].options}}


def answers_of(form: Form, items) -> dict[str, str]:
    return {item.id: form.data[item.id] for item in items if form.data.get(item.id) in {o.value for o in item.options}}


def numbered(errors: list[FieldError], step: int) -> list[dict]:
    """Errors naming the question's number, each linking to it (on its own step's page when elsewhere)."""
    out = []
    for error in errors:
        item_id = error.field.removeprefix("answers.")
        if item_id not in NUMBER:
            out.append({"href": "#main", "message": error.message})
            continue
        anchor = f"#f-answers.{item_id}"
        out.append({
            "href": anchor if STEP_OF[item_id] == step else f"/guidance/survey?step={STEP_OF[item_id]}{anchor}",
            "message": _("Question %(n)s: %(problem)s", n=NUMBER[item_id], problem=error.message),
        })
    return out


def survey_context(values: dict[str, str], errors: list[FieldError], step: int = 1) -> dict:
    language = current_language()
    items = [
        {
            "id": item.id,
            "number": NUMBER[item.id],
            "kind": item.kind,
            "text": content.item_text(item, language),
            "options": [{"value": o.value, "text": content.option_text(o, language)} for o in item.options],
        }
        for item in STEPS[step - 1]
    ]
    return {
        "items": items, "values": values, "errors": errors_by_field(errors), "error_list": errors, "step": step, "steps": len(STEPS),
        "total": len(content.ITEMS), "answered": len(values), "survey_errors": numbered(errors, step),
    }


async def for_reader(request: Request, card: str, strict: bool = True):
    """Staff at the desk book for a reader by card (recorded as made by them): the reader's card. Without a card
    the viewer books for themselves, as a reader. ``strict`` False (the public slots page): a card given by
    anyone but staff is ignored."""
    if card and can_book_for_reader(request.user):
        return await accounts_service.find_card(card)
    if strict and card:
        raise Forbidden(_("Only library staff book consultations for a reader"))
    if strict and not (request.user is not None and request.user.is_reader):
        raise Forbidden(_("This is for readers with a library card"))
    return None


def _with_card(path: str, reader) -> str:
    return f"{path}{'&' if '?' in path else '?'}card={quote(reader.card_number, safe='')}" if reader else path


async def _served_branches(counsellor_id: int) -> list:
    """The branches the counsellor receives at (given on the staff page; none given: every branch)."""
    served = await guidance_availability.served_branch_ids(counsellor_id)
    return [branch for branch in await branches_service.list_branches() if not served or branch.id in served]


class GuidancePages(Controller):
    path = "/guidance"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Template:
        latest = None
        if request.user is not None and request.user.is_reader:
            latest = await guidance_service.latest_result(request.user.id)
        types = [content.type_text(t, current_language()) for t in TYPES]
        return page(request, "guidance/index.html", latest=latest, types=types, fields=await guidance_service.list_fields())

    @get("/survey")
    async def survey_form(self, request: Request, step: Annotated[int, QueryParameter(ge=1, le=len(STEPS), required=False)] = 1) -> Template:
        sent_back = take_kept_form(request)  # a step posted with questions unanswered: their numbers in the summary
        return page(request, "guidance/survey.html", **survey_context(kept_answers(request), sent_back[1] if sent_back else [], step))

    @post("/survey")
    async def survey_submit(self, request: Request) -> Redirect:
        """One step's answers: kept, then the next step (or the one before); the last step sees the result.
        A form without a step (all 25 answers at once) is scored at once, as before."""
        form = await Form.read(request)
        step = form.int("step", required=False, minimum=1, maximum=len(STEPS))
        answers = {**kept_answers(request), **answers_of(form, content.ITEMS if step is None else STEPS[step - 1])}
        request.session[SURVEY_ANSWERS] = answers
        go = form.data.get("go", "")
        if step is not None and go == "back":
            return Redirect(path=f"/guidance/survey?step={max(step - 1, 1)}", status_code=303)
        if step is not None and step < len(STEPS):
            missing = [FieldError(f"answers.{item.id}", _("Please answer this question")) for item in STEPS[step - 1] if item.id not in answers]
            if missing:
                return back_with_errors(request, missing, {}, to=f"/guidance/survey?step={step}")
            return Redirect(path=f"/guidance/survey?step={step + 1}", status_code=303)
        try:
            if request.user is not None and request.user.is_reader:
                result = await guidance_service.save_response(request.user, answers)
                request.session.pop(SURVEY_ANSWERS, None)
                flash(request, _("Your result is saved. You can retake the survey at any time."))
                return Redirect(path=f"/guidance/results/{result.id}", status_code=303)
            guidance_service.evaluate(answers)
        except AppError as error:
            if error.status_code != 422:
                raise
            first = min((STEP_OF.get(e.field.removeprefix("answers."), len(STEPS)) for e in error.errors), default=len(STEPS))
            return back_with_errors(request, error.errors, {}, to=f"/guidance/survey?step={first}")
        return Redirect(path="/guidance/survey/result", status_code=303)

    @get("/survey/result")
    async def survey_result(self, request: Request) -> Template | Redirect:
        """An anonymous visitor's result, from the answers kept; logging in keeps them to save it."""
        answers = kept_answers(request)
        if len(answers) < len(content.ITEMS):
            return Redirect(path="/guidance/survey", status_code=303)
        return page(request, "guidance/result.html", saved=False, steps=len(STEPS), **result_context(guidance_service.evaluate(answers)))

    @get("/results/{result_id:int}", guards=[requires_login])
    async def result(self, request: Request, result_id: FromPath[bounds.Id]) -> Template:
        result = await guidance_service.get_result(request.user, result_id)
        return page(request, "guidance/result.html", saved=True, **result_context(result, request.user))

    @get("/profile", guards=[requires_login])
    async def profile(self, request: Request, card: OptionalStr = "") -> Template:
        reader, results = await guidance_service.profile_for(request.user, card or None)
        return page(request, "guidance/profile.html", reader=reader, results=[result_context(r, request.user) for r in results], card=card)

    @get("/recommendations", guards=[requires_reader])
    async def recommendations(self, request: Request) -> Template:
        latest, ranked = await guidance_service.recommendations(request.user)
        fields = {f.slug: f for f in await guidance_service.list_fields()}
        language = current_language()
        items: list[dict] = []
        consultation = None  # every consultation offer is one card at the place of the best one: its times listed
        for entry in ranked:
            if entry.kind != "workshop" and consultation is not None:
                consultation["times"].append(entry)
                continue
            item = {"entry": entry, "why": rules.why(entry.reasons, language, lambda slug: fields[slug].name(language) if slug in fields else slug), "times": [entry]}
            if entry.kind != "workshop":
                consultation = item
            items.append(item)
        strongest = latest.top_types[0] if latest and latest.top_types else None
        fits_strongest = any(entry.kind == "workshop" and any(r.code == "type" and r.get("type") == strongest for r in entry.reasons) for entry in ranked)
        return page(
            request, "guidance/recommendations.html", latest=latest, items=items, branches=await branches_by_id(), names=await counsellor_names(),
            strongest=f"«{content.type_text(strongest, language).name}»" if strongest and not fits_strongest else None,
            booked=await guidance_service.upcoming_consultations(request.user.id),
        )

    async def _slots_page(self, request: Request, branch: str, counsellor: int | None, start: date | None, status_code: int = 200, error_list=None, reader=None) -> Template:
        today = today_in(get_settings().tz)
        start = max(start or today, today)
        end = start + timedelta(days=13)
        found = await guidance_availability.slots(start, end, branch or None, counsellor)
        days: dict[date, dict[tuple[int, int], list]] = {}  # day -> (counsellor, branch) -> slots: the name once per group
        branches = await branches_by_id()
        for slot in found:
            local = slot.starts_at.astimezone(get_settings().tz)
            days.setdefault(local.date(), {}).setdefault((slot.counsellor_id, slot.branch_id), []).append(slot)
        return page(
            request,
            "guidance/slots.html",
            status_code=status_code,
            days=[(day, sorted(groups.items(), key=lambda group: (group[1][0].starts_at, group[0]))) for day, groups in sorted(days.items())],
            branches=branches,
            branch_list=await branches_service.list_branches(),
            counsellors=await guidance_availability.counsellors(),
            names=await counsellor_names(),
            branch=branch,
            counsellor=counsellor,
            start=start,
            previous=start - timedelta(days=14) if start > today else None,
            next=start + timedelta(days=14),
            error_list=error_list or [],
            cancel_hours=CANCEL_HOURS,
            for_reader=reader,
        )

    @get("/slots")
    async def slots(self, request: Request, branch: OptionalStr = "", counsellor: OptionalStr = "", start: OptionalStr = "", card: OptionalStr = "") -> Template:
        """Staff coming from a reader's desk page (``card``) see the slots as bookable for that reader. The filter
        form sends its blanks ("any counsellor", no date) as empty values: they mean no filter; anything else that
        is not a counsellor's number or a date is a 422 naming the field, as before."""
        query = Form({"counsellor": counsellor, "start": start})
        counsellor_id = query.int("counsellor", required=False, minimum=1)
        first = query.date("start", required=False, window=bounds.FILTER)
        if query.errors:
            raise Invalid(errors=query.errors)
        first = first if bounds.within(first, bounds.SCHEDULE) else None  # a day long past or far ahead: from today
        return await self._slots_page(request, branch, counsellor_id, first, reader=await for_reader(request, card, strict=False))

    @get("/book", guards=[requires_login])
    async def confirm(self, request: Request, counsellor: FromQuery[bounds.Id], starts_at: Annotated[datetime, QueryParameter()], card: OptionalStr = "") -> Template:
        bounds.check(starts_at, bounds.SCHEDULE, "starts_at")
        return await self._confirm_page(request, counsellor, starts_at, reader=await for_reader(request, card))

    async def _confirm_page(
        self, request: Request, counsellor_id: int, starts_at: datetime, status_code: int = 200, errors: list[FieldError] | None = None, topic: str = "", reader=None
    ) -> Template:
        slot = await guidance_availability.slot_at(counsellor_id, starts_at)
        if slot is None:
            flash(request, _("This time is no longer free. Please choose another one."))
            return await self._slots_page(
                request, "", None, starts_at.astimezone(get_settings().tz).date(), 409, errors or [FieldError("starts_at", _("This time is no longer free. Please choose another one."))], reader=reader
            )
        branch = (await branches_by_id())[slot.branch_id]
        return page(
            request, "guidance/book.html", status_code=status_code, slot=slot, b=branch, counsellor_name=(await counsellor_names()).get(counsellor_id, ""),
            values={"topic": topic}, errors=errors_by_field(errors or []), error_list=errors or [], for_reader=reader,
        )

    @post("/consultations", guards=[requires_login])
    async def book(self, request: Request) -> Redirect:
        """A reader books for themselves; staff book for the reader whose card the form carries (from the desk)."""
        form = await Form.read(request)
        reader = await for_reader(request, form.str("card", 40))
        counsellor_id = form.int("counsellor_id")
        topic = form.str("topic", 500)
        try:
            starts_at = datetime.fromisoformat(form.data.get("starts_at", ""))
        except ValueError:
            starts_at = None
        if not bounds.within(starts_at, bounds.SCHEDULE):
            starts_at = None
        if counsellor_id is None or starts_at is None:
            return back_with_errors(request, [FieldError("starts_at", _("Choose a slot"))], {}, to=_with_card("/guidance/slots", reader))
        try:
            await guidance_consultations.book(request.user, counsellor_id, starts_at, topic, card_number=reader.card_number if reader else None)
        except AppError as error:
            if error.status_code not in (403, 409, 422):
                raise
            errors = [FieldError("starts_at", error.detail)] if error.status_code in (403, 409) or not error.errors else error.errors
            back = _with_card(f"/guidance/book?counsellor={counsellor_id}&starts_at={quote(starts_at.isoformat(), safe='')}", reader)
            return back_with_errors(request, errors, {"topic": topic}, to=back)  # the confirmation step again, or the slots when the time is gone
        if reader:
            flash(request, _("The consultation is booked for the reader; they have been told."))
            return Redirect(path=f"/staff/readers/{quote(reader.card_number, safe='')}", status_code=303)
        flash(request, _("You are booked. See you at the library!"))
        return Redirect(path="/guidance/consultations", status_code=303)

    @get("/consultations", guards=[requires_login])
    async def my_consultations(self, request: Request) -> Template | Redirect:
        if request.user.is_counsellor:
            return Redirect(path="/guidance/counsellor", status_code=303)
        found = await guidance_consultations.consultations_of_reader(request.user.id)
        upcoming = [c for c in found if c.is_active and not c.is_past]
        upcoming.reverse()
        other = [c for c in found if c not in upcoming]
        from src.calendars.links import private_webcal

        return page(request, "guidance/consultations.html", upcoming=upcoming, other=other, branches=await branches_by_id(), cancel_hours=CANCEL_HOURS,
                    my_feed_webcal=await private_webcal(request.user) if upcoming else "")

    @get("/passport", guards=[requires_login])
    async def passport(self, request: Request, card: OptionalStr = "") -> Template:
        passport = await guidance_service.passport(request.user, card or None)
        fields = {f.slug: f for f in await guidance_service.list_fields()}
        return page(
            request,
            "guidance/passport.html",
            passport=passport,
            results=[result_context(r, request.user) for r in passport.results],
            branches=await branches_by_id(),
            fields=fields,
            type_name=lambda t: content.type_text(t, current_language()).name,
            today=today_in(get_settings().tz),
        )


class CounsellorPages(Controller):
    path = "/guidance/counsellor"
    include_in_schema = False
    guards = [requires_counsellor]

    @staticmethod
    def _counsellor_id(request: Request, counsellor: int | None) -> int:
        if request.user.is_admin and counsellor:
            return counsellor
        if not request.user.is_counsellor:
            raise Forbidden(_("Choose a counsellor"))
        return request.user.id

    @get("/")
    async def day(self, request: Request, date_: Annotated[date | None, QueryParameter(name="date", required=False)] = None, counsellor: OptionalInt = None) -> Template:
        counsellor_id = self._counsellor_id(request, counsellor) if (counsellor or request.user.is_counsellor) else None
        on = date_ if bounds.within(date_, bounds.FILTER) and date_ else today_in(get_settings().tz)
        found = await guidance_consultations.consultations_of_counsellor(counsellor_id, *guidance_consultations.day_range(on, on)) if counsellor_id else []
        free = await guidance_availability.slots(on, on, None, counsellor_id) if counsellor_id else []
        week = await guidance_consultations.consultations_of_counsellor(counsellor_id, *guidance_consultations.day_range(on + timedelta(days=1), on + timedelta(days=7))) if counsellor_id else []
        return page(
            request, "guidance/counsellor_day.html", on=on, consultations=found, free=free, week=[c for c in week if c.is_active],
            branches=await branches_by_id(), counsellors=await guidance_availability.counsellors(), counsellor_id=counsellor_id,
        )

    async def _availability_page(self, request: Request, counsellor_id: int) -> Template:
        weekly, exceptions = await guidance_availability.availability_of(counsellor_id)
        return page(
            request, "guidance/availability.html", weekly=weekly, exceptions=exceptions,
            branches=await branches_by_id(), branch_list=await _served_branches(counsellor_id), counsellor_id=counsellor_id,
            names=await counsellor_names(), slot_lengths=SLOT_LENGTHS, kinds=EXCEPTION_KINDS,
            error_list=[], errors={}, values={}, form_name="",  # a failed post comes back with its form's name (extra)
        )

    def _availability_address(self, request: Request, counsellor_id: int) -> str:
        return f"/guidance/counsellor/availability{'?counsellor=%d' % counsellor_id if request.user.is_admin else ''}"

    @get("/availability")
    async def availability(self, request: Request, counsellor: OptionalInt = None) -> Template:
        return await self._availability_page(request, self._counsellor_id(request, counsellor))

    @post("/availability")
    async def add_window(self, request: Request, counsellor: OptionalInt = None) -> Redirect:
        counsellor_id = self._counsellor_id(request, counsellor)
        form = await Form.read(request)
        data = guidance_availability.WindowInput(
            branch=form.str("branch", 64), weekday=form.int("weekday", minimum=0, maximum=6), starts=form.time("starts"), ends=form.time("ends"),
            slot_minutes=form.int("slot_minutes"), buffer_minutes=form.int("buffer_minutes", minimum=0, maximum=60),
            valid_from=form.date("valid_from", required=False), valid_until=form.date("valid_until", required=False),
        )
        errors = list(form.errors)
        if not errors:
            try:
                await guidance_availability.add_window(request.user, counsellor_id, data)
            except AppError as error:
                if error.status_code not in (409, 422):
                    raise
                errors = error.errors or [FieldError("starts", error.detail)]
        if errors:
            return back_with_errors(request, errors, form.data, to=self._availability_address(request, counsellor_id), extra={"form_name": "window"})
        flash(request, _("The window is added."))
        return Redirect(path=f"/guidance/counsellor/availability{'?counsellor=%d' % counsellor_id if request.user.is_admin else ''}", status_code=303)

    @post("/exceptions")
    async def add_exception(self, request: Request, counsellor: OptionalInt = None) -> Redirect:
        counsellor_id = self._counsellor_id(request, counsellor)
        form = await Form.read(request)
        data = guidance_availability.ExceptionInput(
            on=form.date("on", window=bounds.SCHEDULE), kind=form.str("kind", 8), branch=form.str("branch", 64), starts=form.time("starts", required=False), ends=form.time("ends", required=False),
            slot_minutes=form.int("slot_minutes", required=False) or 45, buffer_minutes=form.int("buffer_minutes", required=False, minimum=0, maximum=60) or 0,
            note=form.str("note", 300),
        )
        errors = list(form.errors)
        if not errors:
            try:
                await guidance_availability.add_exception(request.user, counsellor_id, data)
            except AppError as error:
                if error.status_code not in (409, 422):
                    raise
                errors = error.errors or [FieldError("on", error.detail)]
        if errors:
            return back_with_errors(request, errors, form.data, to=self._availability_address(request, counsellor_id), extra={"form_name": "exception"})
        flash(request, _("The exception is added."))
        return Redirect(path="/guidance/counsellor/availability", status_code=303)

    @get("/consultations/{consultation_id:int}")
    async def consultation(self, request: Request, consultation_id: FromPath[bounds.Id]) -> Template:
        from src.calendars.links import private_webcal

        view = await guidance_consultations.get_consultation(request.user, consultation_id)
        latest = await guidance_service.latest_result(view.reader_id)
        reader = await guidance_service.reader_ref(view.reader_id)
        return page(
            request, "guidance/consultation.html", c=view, reader=reader, latest=result_context(latest, request.user) if latest else None,
            branches=await branches_by_id(), may_write=can_read_private_notes(request.user, view.counsellor_id), errors={},
            my_feed_webcal=await private_webcal(request.user) if view.is_active and not view.is_past else "",
        )

    @post("/consultations/{consultation_id:int}")
    async def write_notes(self, request: Request, consultation_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        # a field the post does not carry stays as it is (a form with next steps only must not blank the private notes)
        next_steps = form.text("next_steps", 5000) if form.has("next_steps") else None
        private_notes = form.text("private_notes", 5000) if form.has("private_notes") else None
        if form.errors:
            raise Invalid(errors=form.errors)
        await guidance_consultations.write_notes(request.user, consultation_id, next_steps, private_notes)
        flash(request, _("The notes are saved."))
        return Redirect(path=f"/guidance/counsellor/consultations/{consultation_id}", status_code=303)


class FieldPages(Controller):
    path = "/guidance/fields"
    include_in_schema = False
    guards = [requires_staff]

    async def _page(self, request: Request, editing=None, values: dict | None = None) -> Template:
        """The list and the form; a failed save comes back here with its values and errors (back_with_errors)."""
        return page(
            request, "guidance/fields.html", fields=await guidance_service.list_fields(include_inactive=True), editing=editing,
            types=[(t, content.type_text(t, current_language()).name) for t in TYPES], error_list=[], errors={}, values=values or {},
        )

    @get("/")
    async def list_fields(self, request: Request, edit: OptionalInt = None) -> Template:
        editing = next((f for f in await guidance_service.list_fields(include_inactive=True) if f.id == edit), None) if edit else None
        values = {}
        if editing:
            values = {"slug": editing.slug, "name_ru": editing.name_ru, "name_en": editing.name_en, "description_ru": editing.description_ru, "description_en": editing.description_en, "position": str(editing.position), "is_active": editing.is_active, "aliases": ", ".join(editing.aliases), **{f"type_{t}": True for t in editing.types}}
        return await self._page(request, editing, values=values)

    @post("/")
    async def save(self, request: Request) -> Redirect:
        if not can_manage_profession_fields(request.user):
            raise Forbidden()
        form = await Form.read(request)
        field_id = form.int("id", required=False)
        data = guidance_service.FieldInput(
            slug=form.str("slug", 64).lower(), name_ru=form.str("name_ru", 120), name_en=form.str("name_en", 120),
            description_ru=form.str("description_ru", 2000), description_en=form.str("description_en", 2000),
            types=tuple(t for t in TYPES if form.bool(f"type_{t}")), position=form.int("position", required=False) or 0, is_active=form.bool("is_active"),
            aliases=tuple(form.str("aliases", 300).split(",")),
        )
        errors = list(form.errors)
        if not errors:
            try:
                await guidance_service.save_field(request.user, data, field_id)
            except AppError as error:
                if error.status_code not in (409, 422):
                    raise
                errors = error.errors or [FieldError("slug", error.detail)]
        if errors:
            return back_with_errors(request, errors, form.data, to=f"/guidance/fields?edit={field_id}" if field_id else "/guidance/fields")
        flash(request, _("The profession field is saved."))
        return Redirect(path="/guidance/fields", status_code=303)
