"""The audit log page: filters by branch, person, object and dates, pages of 50, and the same selection as CSV
(src/csvsafe.py). Admins see everything; branch heads their branches' entries."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.response import Template

from src.audit import service as audit_service
from src.branches import admin as branches_admin
from src.branches import audit_log
from src.accounts.permissions import audit_scope
from src.csvsafe import write_csv
from src.exceptions import FieldError, Invalid
from src.i18n import _, fmt_datetime
from src.web.forms import Form
from src.web.guards import requires_staff
from src.web.templating import errors_by_field, page

PAGE_SIZE = 50
CSV_LIMIT = 50000  # one export holds at most this many entries (narrow the dates for more)


def _query(form: Form) -> audit_log.Query:
    start = form.date("start", required=False)
    end = form.date("end", required=False)
    return audit_log.Query(branch=form.str("branch", 64) or None, actor=form.str("actor", 200) or None, object=form.str("object", 45) or None, start=start, end=end)


def _changes(entry: audit_service.Entry) -> str:
    return "; ".join(f"{name}: {'—' if value.get('redacted') else json.dumps(value.get('before'), ensure_ascii=False)} → {'—' if value.get('redacted') else json.dumps(value.get('after'), ensure_ascii=False)}" for name, value in entry.changes.items())


class AuditPages(Controller):
    path = "/staff/network"
    include_in_schema = False
    guards = [requires_staff]

    async def _selection(self, request: Request) -> tuple[Form, audit_service.Filters | None, list[FieldError]]:
        form = Form({key: value for key, value in request.query_params.items() if isinstance(value, str)})
        query = _query(form)
        if form.errors:
            return form, None, form.errors
        try:
            return form, await audit_log.filters(request.user, query), []
        except Invalid as invalid:
            return form, None, invalid.errors

    @get("/audit")
    async def audit(self, request: Request) -> Template:
        form, filters, errors = await self._selection(request)
        number = max(1, min(form.int("page", required=False, minimum=1) or 1, 100000))
        entries, total = (await audit_service.entries(filters, PAGE_SIZE, (number - 1) * PAGE_SIZE)) if filters else ([], 0)
        scope = audit_scope(request.user)
        branches = [row for row in await branches_admin.list_all() if scope is None or row["id"] in scope]
        query = {key: value for key, value in form.data.items() if key != "page" and value}
        return page(
            request, "branches/audit.html", status_code=422 if errors else 200, entries=entries, total=total, number=number, pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
            slugs=await audit_log.branch_slugs(), branch_options=[(row["slug"], row["name"]) for row in branches], values=form.data, errors=errors_by_field(errors), error_list=errors,
            query=urlencode(query), changes=_changes,
        )

    @get("/audit.csv")
    async def audit_csv(self, request: Request) -> Response:
        _form, filters, errors = await self._selection(request)
        if filters is None:
            raise Invalid(errors=errors)
        entries, _total = await audit_service.entries(filters, CSV_LIMIT)
        slugs = await audit_log.branch_slugs()
        rows = [
            (fmt_datetime(entry.at, "yyyy-MM-dd HH:mm:ss"), entry.actor_id or "", entry.actor_role, entry.actor_name, slugs.get(entry.branch_id, "") if entry.branch_id else "",
             entry.object_kind, entry.object_id or "", entry.action, json.dumps(entry.changes, ensure_ascii=False))
            for entry in entries
        ]
        header = [_("When (UTC)"), _("Account"), _("Role"), _("Name"), _("Branch"), _("Object"), _("Number"), _("Action"), _("Changes")]
        return Response(content=write_csv(header, rows), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="audit.csv"', "Cache-Control": "no-store"})


