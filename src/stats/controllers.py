"""Statistics API: the summary, zone use and the annual report, as JSON, CSV or XLSX. Staff of their branches,
administrators of every branch; nobody else."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery, QueryParameter

from src import bounds
from src.config import get_settings
from src.i18n import _
from src.stats import annual as annual_form
from src.stats import service, zones
from src.stats.periods import Period, this_month
from src.stats.report import Report, csv_text, file_name, xlsx_bytes
from src.stats.schemas import AnnualColumnOut, AnnualLineOut, AnnualOut, SummaryOut, ZoneOut, ZonesOut, summary_report
from src.web.guards import requires_staff

BranchQuery = Annotated[list[bounds.line(64)] | None, QueryParameter(max_items=20, description="A branch slug; repeat for several (default: every branch you may see)")]
Format = Annotated[Literal["json", "csv", "xlsx"], QueryParameter(description="json (default), csv (UTF-8 with BOM) or xlsx; in files groups of 1 or 2 people read \"<3\"")]
YearQuery = Annotated[int, QueryParameter(ge=2000, le=2100, description="The calendar year")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_of(start: str | date | None, end: str | date | None) -> Period:
    """The period of ``start`` and ``end`` (each a date, or a date-time with an offset: its day in the city)."""
    tz = get_settings().tz
    return service.check_period(bounds.filter_day(start, tz, "start"), bounds.filter_day(end, tz, "end"), this_month(service.now_date()))


def heading(report: Report, scope: service.Scope, period: Period) -> str:
    where = ", ".join(branch.short_name or branch.name for branch in scope.branches) if scope.chosen else _("all branches")
    return f"{_(report.title)}: {where}, {period.start.isoformat()} — {period.end.isoformat()}"


def file_response(report: Report, scope: service.Scope, period: Period, fmt: str) -> Response[Any]:
    """The report as a download, its filters in the file name."""
    name = file_name(report.slug, list(scope.chosen), period.start, period.end, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        return Response(content=csv_text(report), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(content=xlsx_bytes(report, heading(report, scope, period)), media_type=XLSX, headers=headers)


def _json(data: msgspec.Struct) -> Response[Any]:
    return Response(content=msgspec.json.encode(data), media_type="application/json", headers={"Cache-Control": "no-store"})


def _files(model: type) -> dict[int, ResponseSpec]:
    return {200: ResponseSpec(data_container=model, description="JSON; with format=csv or xlsx, a file download", generate_examples=False)}


class StatsApi(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]
    guards = [requires_staff]

    @get("/summary", summary="Headline figures of a period (dates inclusive) for branches you may see", responses=_files(SummaryOut))
    async def summary(
        self,
        request: Request,
        branch: BranchQuery = None,
        start: FromQuery[bounds.FilterMoment] = None,
        end: FromQuery[bounds.FilterMoment] = None,
        format: Format = "json",
    ) -> Response[Any]:
        period = period_of(start, end)
        scope, figures = await service.summary(request.user, branch or [], period)
        if format == "json":
            return _json(msgspec.convert(figures, SummaryOut))
        return file_response(summary_report(figures), scope, period, format)

    @get("/zones", summary="Zone use per zone: bookings, booked and open hours, utilisation (booked share of open hours)", responses=_files(ZonesOut))
    async def zones(
        self,
        request: Request,
        branch: BranchQuery = None,
        start: FromQuery[bounds.FilterMoment] = None,
        end: FromQuery[bounds.FilterMoment] = None,
        format: Format = "json",
    ) -> Response[Any]:
        period = period_of(start, end)
        scope = await service.scope(request.user, branch or [])
        rows = await zones.zone_rows(scope, period)
        if format == "json":
            items = [ZoneOut(zone_id=r["zone_id"], branch=r["branch_slug"], zone=r["zone"], kind=r["kind_code"], bookings=r["bookings"], booked_hours=round(r["booked_hours"], 1),
                             open_hours=round(r["open_hours"], 1), utilisation=r["utilisation"], approvals=r["approvals"], declines=r["declines"],
                             cancellations=r["cancellations"]) for r in rows]
            return _json(ZonesOut(start=period.start, end=period.end, branches=[b.slug for b in scope.branches], zones=items))
        return file_response(zones.zones_report(rows), scope, period, format)

    @get("/annual", summary="The annual report in the shape of form 6-НК: a line per branch and one for them all", responses=_files(AnnualOut))
    async def annual(self, request: Request, year: YearQuery, branch: BranchQuery = None, format: Format = "json") -> Response[Any]:
        scope = await service.scope(request.user, branch or [])
        lines = await annual_form.annual(scope, year)
        if format == "json":
            return _json(AnnualOut(
                year=year, branches=[b.slug for b in scope.branches],
                columns=[AnnualColumnOut(number=c.number, key=c.key, title=_(c.title)) for c in annual_form.COLUMNS],
                lines=[AnnualLineOut(branch=line["branch"], library=line["library"] or _("All branches asked for"), values={c.key: line[c.key] for c in annual_form.COLUMNS}) for line in lines],
            ))
        report = annual_form.annual_report(lines, _("All branches asked for"))
        return file_response(report, scope, annual_form.year_period(year), format)
