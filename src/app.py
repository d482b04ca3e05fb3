"""The one place where libspace is wired together."""

from __future__ import annotations

import hashlib
from contextlib import asynccontextmanager
from typing import AsyncIterator

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from piccolo.engine import engine_finder

from src.accounts.controllers import AuthApi, MeApi, ReaderApi
from src.accounts.pages import AccountPages
from src.accounts.desk_pages import DeskPages
from src.accounts.recovery_pages import RecoveryPages
from src.accounts.staff_controllers import StaffApi
from src.accounts.staff_pages import StaffAdminPages
from src.branches.audit_controllers import AuditApi
from src.branches.audit_pages import AuditPages
from src.branches.pages import NetworkPages
from src.families.controllers import FamilyApi, ReaderGuardiansApi
from src.families.pages import FamilyPages
from src.privacy.controllers import MyDataApi, StaffEraseApi
from src.privacy.pages import MyDataPages, StaffErasePages
from src.calendars.controllers import FeedController, MyFeedsApi
from src.calendars.pages import CalendarStaffPages, MyBookingCalendar, MyFeedPages, ConsultationCalendar, VisitCalendar
from src.notifications.controllers import MessagePages, MyMessagesApi, MyRemindersApi, ReminderPages
from src import registrations  # noqa: F401 - the domains fill the notification registry
from src.config import STATIC_DIR, Settings, get_settings
from src.db import close_pools, open_pools
from src.events.controllers import CheckinApi, EventApi, MyRegistrationApi, RegistrationApi
from src.events.confirmations import EventConfirmations
from src.events.pages import EventPages, StaffEventPages
from src.rooms.admin_controllers import ZoneListsApi
from src.rooms.zones_pages import ZoneListPages, ZonePages
from src.rooms.controllers import BookingApi, BranchApi, ZoneApi
from src.rooms.pages import BookingPages, BranchPages
from src.rooms.confirmations import BookingConfirmations
from src.rooms.staff_pages import StaffRoomPages
from src.schools.controllers import ProgrammeApi, SchoolApi, VisitApi
from src.schools.admin_pages import ProgrammeAdminPages, SchoolAdminPages
from src.schools.confirmations import VisitConfirmations
from src.schools.pages import SchoolPages, StaffSchoolPages
from src.staff.pages import StaffHome
from src.guidance.controllers import AvailabilityApi, GuidanceApi
from src.stats.controllers import StatsApi
from src.stats.pages import StatsPages
from src.guidance.confirmations import GuidanceConfirmations
from src.guidance.pages import CounsellorPages, FieldPages, GuidancePages
from src.ops import logs as ops_logs
from src.ops.controllers import ROUTE_HANDLERS as OPS_ROUTES
from src.ops.observe import RequestObserver
from src.web.auth import AuthMiddleware
from src.web.errors import EXCEPTION_HANDLERS
from src.web.site import SitePages
from src.web.requests import BoundedRequest
from src.web.templating import template_engine

SESSION_COOKIE = "libspace_session"


@asynccontextmanager
async def _database(app: Litestar) -> AsyncIterator[None]:
    engine = engine_finder()
    await open_pools(engine)
    try:
        yield
    finally:
        await close_pools(engine)


@asynccontextmanager
async def _notification_worker(app: Litestar) -> AsyncIterator[None]:
    """The notification worker inside the server process (``LIBSPACE_WORKER=off`` to run it elsewhere)."""
    import asyncio

    from src.notifications import worker
    from src.notifications.settings import get_mail_settings

    if not get_mail_settings().worker_enabled:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="notification-worker")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=get_mail_settings().smtp_timeout_seconds + 5)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            task.cancel()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    ops_logs.configure()
    session = CookieBackendConfig(
        secret=hashlib.sha256(settings.secret_key.encode()).digest(),
        key=SESSION_COOKIE,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=14 * 24 * 3600,
        exclude=["/api/", "/static/", "/healthz", "/readyz", "/metrics", "/schema", "^/feeds/", "/favicon.ico", "/manifest.webmanifest"],
    )
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="libspace_csrf",
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=settings.secure_cookies,
        exclude=["/api/", "^/feeds/", "^/reminders/off/", "^/unsubscribe/"],  # one-click unsubscribe (RFC 8058) carries no token
    )
    app = Litestar(
        route_handlers=[
            *OPS_ROUTES,
            BranchApi,
            ZoneApi,
            ZoneListsApi,
            BookingApi,
            ReaderApi,
            MyDataApi,
            FamilyApi,
            ReaderGuardiansApi,
            StaffEraseApi,
            AuthApi,
            MeApi,
            StaffApi,
            AuditApi,
            EventApi,
            RegistrationApi,
            MyRegistrationApi,
            CheckinApi,
            SchoolApi,
            ProgrammeApi,
            VisitApi,
            MyFeedsApi,
            FeedController,
            CalendarStaffPages,
            MyFeedPages,
            MyBookingCalendar,
            VisitCalendar,
            ConsultationCalendar,
            MyRemindersApi,
            ReminderPages,
            MyMessagesApi,
            MessagePages,
            GuidanceApi,
            AvailabilityApi,
            StatsApi,
            StatsPages,
            BranchPages,
            BookingPages,
            StaffRoomPages,
            BookingConfirmations,
            AccountPages,
            RecoveryPages,
            NetworkPages,
            StaffAdminPages,
            AuditPages,
            ZonePages,
            ZoneListPages,
            StaffHome,
            DeskPages,
            MyDataPages,
            FamilyPages,
            StaffErasePages,
            EventPages,
            StaffEventPages,
            EventConfirmations,
            SchoolPages,
            StaffSchoolPages,
            SchoolAdminPages,
            ProgrammeAdminPages,
            VisitConfirmations,
            GuidancePages,
            CounsellorPages,
            FieldPages,
            GuidanceConfirmations,
            SitePages,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        middleware=[session.middleware, AuthMiddleware],
        csrf_config=csrf,
        template_config=TemplateConfig(engine=template_engine()),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        logging_config=None,  # src/ops/logs.py configures logging (JSON or text, LIBSPACE_LOG_LEVEL)
        request_class=BoundedRequest,
        lifespan=[_database, _notification_worker],
        openapi_config=OpenAPIConfig(
            title="libspace API",
            version="1",
            description="The municipal library space of Blagoveshchensk: branches, reader cards, zones, events.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="POST /api/v1/auth/token")}
            ),
            security=[{"bearer": []}],
        ),
        debug=settings.debug,
    )
    # outside Litestar's router, so that unmatched paths and errors get their request id, log line and count too
    app.asgi_handler = RequestObserver(app.asgi_handler)
    return app
