"""Statistics pages for staff (their branches) and administrators (the network): an overview, five dashboards,
every table as CSV and XLSX, and the annual report. Printable on A4 (see the print rules in static/site.css)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from src import bounds
from src.exceptions import NotFound
from src.i18n import _
from src.stats import annual as annual_form
from src.stats import charts, dashboards, service
from src.stats.controllers import BranchQuery, YearQuery, file_response, period_of
from src.stats.periods import Period
from src.stats.report import Report, cells
from src.stats.schemas import summary_report
from src.web.guards import requires_staff
from src.web.templating import page

FileFormat = Annotated[Literal["csv", "xlsx"], QueryParameter(description="csv or xlsx")]
Slug = Annotated[str, QueryParameter(max_length=64, pattern=r"^[a-z0-9-]+$")]


def _query(scope: service.Scope, period: Period, **extra: Any) -> str:
    return urlencode({"start": period.start.isoformat(), "end": period.end.isoformat(), "branch": list(scope.chosen), **extra}, doseq=True)


def _shown(report: Report, scope: service.Scope, period: Period, dashboard: str) -> dict[str, Any]:
    chart = charts.heat_map(report) if report.slug == "busiest-hours" else charts.bars(report)
    return {
        "report": report, "title": _(report.title), "headers": report.headers(), "rows": cells(report, suppress=False), "chart": chart,
        "numeric": [column.kind != "text" for column in report.columns], "note": _(report.note) if report.note else "",
        "download": f"/staff/stats/{dashboard}/download?" + _query(scope, period, table=report.slug),
    }


async def _context(request: Request, scope: service.Scope, period: Period) -> dict[str, Any]:
    every = await service.scope(request.user, [])
    return {
        "dashboards": [(d.slug, _(d.title)) for d in dashboards.DASHBOARDS], "period": period, "previous": period.a_year_before(),
        "branches": every.branches, "chosen": set(scope.chosen), "query": _query(scope, period), "this_year": service.now_date().year,
    }


class StatsPages(Controller):
    path = "/staff/stats"
    include_in_schema = False
    guards = [requires_staff]

    @get("/")
    async def overview(self, request: Request, branch: BranchQuery = None, start: FromQuery[bounds.OptionalFilterDate] = None,
                       end: FromQuery[bounds.OptionalFilterDate] = None) -> Template:
        period = period_of(start, end)
        scope, current = await service.summary(request.user, branch or [], period)
        _scope, previous = await service.summary(request.user, branch or [], period.a_year_before())
        report = summary_report(current, previous)
        return page(request, "stats/dashboard.html", current_slug="", heading=_("Statistics"), reports=[_shown(report, scope, period, "summary")],
                    **await _context(request, scope, period))

    @get("/{dashboard:str}")
    async def dashboard(self, request: Request, dashboard: FromPath[bounds.ShortLine], branch: BranchQuery = None,
                        start: FromQuery[bounds.OptionalFilterDate] = None, end: FromQuery[bounds.OptionalFilterDate] = None) -> Template:
        if dashboard not in dashboards.BY_SLUG:
            raise NotFound(_("There is no such page"))
        period = period_of(start, end)
        scope = await service.scope(request.user, branch or [])
        reports = await dashboards.build(dashboard, scope, period)
        return page(request, "stats/dashboard.html", current_slug=dashboard, heading=_(dashboards.BY_SLUG[dashboard].title),
                    reports=[_shown(report, scope, period, dashboard) for report in reports], **await _context(request, scope, period))

    @get("/{dashboard:str}/download")
    async def download(self, request: Request, dashboard: FromPath[bounds.ShortLine], table: Slug, format: FileFormat = "csv", branch: BranchQuery = None,
                       start: FromQuery[bounds.OptionalFilterDate] = None, end: FromQuery[bounds.OptionalFilterDate] = None) -> Response[Any]:
        period = period_of(start, end)
        if dashboard == "summary":
            scope, current = await service.summary(request.user, branch or [], period)
            _scope, previous = await service.summary(request.user, branch or [], period.a_year_before())
            reports = [summary_report(current, previous)]
        elif dashboard in dashboards.BY_SLUG:
            scope = await service.scope(request.user, branch or [])
            reports = await dashboards.build(dashboard, scope, period)
        else:
            raise NotFound(_("There is no such page"))
        report = next((report for report in reports if report.slug == table), None)
        if report is None:
            raise NotFound(_("There is no such table"))
        return file_response(report, scope, period, format)

    @get("/annual/report")
    async def annual(self, request: Request, year: YearQuery, format: FileFormat = "xlsx", branch: BranchQuery = None) -> Response[Any]:
        scope = await service.scope(request.user, branch or [])
        lines = await annual_form.annual(scope, year)
        return file_response(annual_form.annual_report(lines, _("All branches asked for")), scope, annual_form.year_period(year), format)
