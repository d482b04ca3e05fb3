"""Demo data: the real branches of Blagoveshchensk's municipal library system (../shared/demo-facts.md),
with invented but plausible addresses, hours and zones. Idempotent: every row is found by its natural key."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import FR, MONTHLY, rrule

from src import cache
from src.accounts import rules as account_rules
from src.accounts.constants import ROLE_READER
from src.accounts.passwords import hash_password_sync as hash_password
from src.accounts.tables import Account, ReaderCard, StaffBranch
from src.accounts.permissions import Principal
from src.branches import admin as branches_admin
from src.branches.rules import WEEKDAY_CODES
from src.branches.tables import Branch
from src.config import get_settings
from src.db import write_transaction
from src.events import demo as demo_events
from src.events.tables import Event, Registration
from src.exceptions import AppError
from src.guidance import availability as guidance_availability
from src.guidance import rules as guidance_rules
from src.guidance import service as guidance_service
from src.guidance.tables import Consultation, CounsellorAvailability, ProfessionField, SurveyResponse
from src.rooms import bookings
from src.rooms import service as rooms_service
from src.rooms.constants import CONFIRMED, HOLDER_BLOCK, HOLDER_READER, HOLDER_STAFF, PENDING
from src.rooms.rules import Recurrence
from src.rooms import zones_admin
from src.rooms.tables import Booking
from src.schools import demo as schools_demo
from src.timeutil import UTC, now_utc, today_in

DEMO_PASSWORD = "libspace-demo"

# slug, name, short name, address, lat, lon, accessibility, description
BRANCHES = [
    ("chekhov", "Молодёжная библиотека имени А. П. Чехова", "Библиотека им. Чехова", "ул. Краснофлотская, 137 (демо-адрес)", 50.2705, 127.5270, "Пандус у входа", "Городская молодёжная библиотека, первая модельная библиотека города (2019)."),
    ("volkov-arts", "Библиотека искусств имени Волкова", "Библиотека искусств", "ул. Ленина, 72", 50.2596, 127.5361, "", "Арт-пространство с мобильным выставочным оборудованием и звукоизолированным творческим сектором."),
    ("mashuk-observatory", "Библиотека-обсерватория имени Бориса Машука", "Библиотека-обсерватория", "ул. Институтская, 10/1", 50.2824, 127.5069, "Лифт, пандус", "Лаборатории: научная, гуманитарная, творческая, книжная; коворкинг и малая киностудия."),
    ("komarov-children", "Библиотека детского развития имени Петра Комарова", "Библиотека им. Комарова", "ул. Горького, 228 (демо-адрес)", 50.2651, 127.5494, "", "Библиотека детского развития."),
    ("centralnaya", "Библиотека городских инноваций «Центральная»", "Центральная", "ул. Пионерская, 27 (демо-адрес)", 50.2621, 127.5281, "Безбарьерный вход", "Кластеры: информационный, творческих инноваций (школа видеоблогинга), социальных инноваций, «новое краеведение» (народный музей)."),
    ("solnechnaya", "Библиотека «Солнечная»", "Солнечная", "ул. Василенко, 13 (демо-адрес)", 50.2950, 127.5198, "", ""),
    ("dom-semyi", "Библиотека «Дом семьи»", "Дом семьи", "ул. Зейская, 201 (демо-адрес)", 50.2688, 127.5400, "Пандус, широкие двери", "Семейная библиотека: каминная гостиная, детская комната, конференц-зал, студия звукозаписи аудиокниг."),
    ("bagulnik", "Библиотека «Багульник»", "Багульник", "Моховая Падь, ул. Центральная, 5 (демо-адрес)", 50.3350, 127.4800, "", "Патриотический центр с тематическими зонами."),
    ("dialog", "Библиотека «Диалог»", "Диалог", "ул. Политехническая, 46", 50.2760, 127.5330, "Пандус и широкие двери", "Зоны «Арт-коридор», «Литературное достояние», «Диалог событий», «Семейный диалог»."),
    ("stanyukovich", "Библиотека-филиал № 11 имени К. М. Станюковича", "Филиал № 11", "ул. Шимановского, 41 (демо-адрес)", 50.2570, 127.5460, "", ""),
]

# How to get there (demo text: the nearest stop named after the street of the address, no route numbers; the
# entrances as the accessibility notes above describe them).
DIRECTIONS = {
    "chekhov": "Ближайшая остановка — «Краснофлотская», оттуда около 3 минут пешком.\nВход с улицы Краснофлотской, у входа пандус.",
    "volkov-arts": "Ближайшая остановка — «Улица Ленина», библиотека в двух минутах ходьбы.\nВход с улицы Ленина, со стороны проезжей части; у входа ступени.",
    "mashuk-observatory": "Ближайшая остановка — «Институтская».\nВход во дворе дома 10/1, с торца здания. Пандус у входа, внутри лифт.",
    "komarov-children": "Ближайшая остановка — «Улица Горького».\nВход с улицы Горького, отдельный, с вывеской библиотеки; у входа ступени, можно вызвать сотрудника по телефону.",
    "centralnaya": "Ближайшая остановка — «Пионерская».\nГлавный вход с улицы Пионерской, без ступеней; двери открываются автоматически.",
    "solnechnaya": "Ближайшая остановка — «Улица Василенко».\nВход со двора дома 13.",
    "dom-semyi": "Ближайшая остановка — «Зейская».\nВход с улицы Зейской. Пандус и широкие двери, коляска проходит без помощи.",
    "bagulnik": "Из центра города — пригородным автобусом до Моховой Пади, остановка «Центральная».\nВход с улицы Центральной.",
    "dialog": "Ближайшая остановка — «Политехническая».\nВход с улицы Политехнической: пандус и широкие двери.",
    "stanyukovich": "Ближайшая остановка — «Шимановского».\nВход с улицы Шимановского, в торце здания.",
}

# zone name, kind, capacity, features, readers may book, schools may book, needs approval
ZONES = {
    "chekhov": [("Коворкинг", "coworking", 12, ["wifi", "whiteboard"], True, False, False), ("Конференц-зал", "conference_hall", 40, ["projector", "screen", "sound_system"], True, True, True), ("Читальный зал", "reading_hall", 30, ["wifi"], False, True, False), ("Кабинет профконсультаций", "consultation_room", 3, [], False, False, False)],
    "volkov-arts": [("Арт-пространство", "exhibition", 50, ["step_free"], False, True, True), ("Творческий сектор", "makerspace", 8, ["soundproof"], True, False, True), ("Читальный зал", "reading_hall", 25, ["wifi"], False, True, False)],
    "mashuk-observatory": [("Коворкинг", "coworking", 16, ["wifi", "whiteboard", "step_free"], True, False, False), ("Научная лаборатория", "makerspace", 12, ["computers", "3d_printer"], True, True, True), ("Малая киностудия", "makerspace", 6, ["video_studio", "soundproof"], True, False, True), ("Выставочное пространство", "exhibition", 40, ["step_free"], False, True, True), ("Кабинет профконсультаций", "consultation_room", 3, [], False, False, False)],
    "komarov-children": [("Детская зона", "children", 20, [], False, True, False), ("Компьютерный класс", "computer_class", 12, ["computers", "projector"], False, True, True)],
    "centralnaya": [("Коворкинг", "coworking", 20, ["wifi", "step_free", "whiteboard"], True, False, False), ("Школа видеоблогинга", "makerspace", 10, ["video_studio", "computers"], True, True, True), ("Народный музей", "local_history", 25, ["step_free"], False, True, True), ("Зал дискуссий", "conference_hall", 60, ["projector", "screen", "sound_system", "step_free"], True, True, True), ("Игровая зона", "children", 15, ["step_free"], False, True, False), ("Кабинет профконсультаций", "consultation_room", 3, ["step_free"], False, False, False)],
    "solnechnaya": [("Читальный зал", "reading_hall", 20, ["wifi"], True, True, False), ("Компьютерный класс", "computer_class", 10, ["computers"], True, True, False)],
    "dom-semyi": [("Каминная гостиная", "reading_hall", 18, ["fireplace", "step_free"], True, True, False), ("Детская комната", "children", 12, ["step_free"], False, True, False), ("Конференц-зал", "conference_hall", 45, ["projector", "screen", "step_free"], True, True, True), ("Студия звукозаписи", "makerspace", 2, ["soundproof"], True, False, True), ("Компьютерная зона", "computer_class", 8, ["computers", "laser_engraver"], True, True, True)],
    "bagulnik": [("Краеведческая комната", "local_history", 20, [], False, True, True), ("Читальный зал", "reading_hall", 15, ["wifi"], True, True, False)],
    "dialog": [("Арт-коридор", "exhibition", 30, ["step_free"], False, True, True), ("Литературное достояние", "local_history", 20, ["step_free"], False, True, True), ("Диалог событий", "conference_hall", 70, ["projector", "screen", "sound_system", "step_free"], True, True, True), ("Семейный диалог", "children", 15, ["step_free"], False, True, False)],
    "stanyukovich": [("Читальный зал", "reading_hall", 15, ["wifi"], True, True, False)],
}

# Tuesday to Saturday 10-19, Sunday 10-18, Monday closed; the youth library opens later and closes later.
HOURS = {weekday: (time(10), time(19)) for weekday in (1, 2, 3, 4, 5)} | {6: (time(10), time(18))}
YOUTH_HOURS = {weekday: (time(11), time(20)) for weekday in (0, 1, 2, 3, 4)} | {5: (time(11), time(18))}

HOLIDAYS = [((1, 1), (1, 8), "Новогодние каникулы"), ((2, 23), (2, 23), "День защитника Отечества"), ((3, 8), (3, 8), "Международный женский день"), ((5, 1), (5, 1), "Праздник Весны и Труда"), ((5, 9), (5, 9), "День Победы"), ((6, 12), (6, 12), "День России"), ((11, 4), (11, 4), "День народного единства")]


def card_for(seed: str) -> str:
    body = "2800000" + seed.rjust(4, "0")
    return body + account_rules.luhn_check_digit(body)


async def _branches(admin: Principal) -> dict[str, int]:
    """The branches, their hours, zones and closures, entered through the same services as the pages and the API
    (src/branches/admin.py, src/rooms/zones_admin.py), so demo and real entry cannot drift apart."""
    ids = {}
    today = today_in(get_settings().tz)
    for slug, name, short, address, lat, lon, access, description in BRANCHES:
        row = await Branch.select(Branch.id).where(Branch.slug == slug).first()
        if row:
            ids[slug] = row["id"]
            continue
        ids[slug] = await branches_admin.create_branch(admin, {
            "slug": slug, "name": name, "short_name": short, "address": f"г. Благовещенск, {address}", "latitude": lat, "longitude": lon, "accessibility": access,
            "directions": DIRECTIONS.get(slug, ""), "description": description, "phone": "+7 4162 00-00-00", "timezone": "Asia/Yakutsk",
        })
        hours = YOUTH_HOURS if slug == "chekhov" else HOURS
        await branches_admin.set_weekly(admin, slug, {WEEKDAY_CODES[weekday]: [(opens, closes)] for weekday, (opens, closes) in hours.items()})
        for zone_name, kind, capacity, features, readers, schools, approval in ZONES.get(slug, []):
            await zones_admin.create_zone(admin, slug, {
                "name": zone_name, "kind": kind, "capacity": capacity, "features": features, "description": "", "bookable_by_readers": readers, "bookable_by_schools": schools,
                "requires_approval": approval, "slot_minutes": 30, "min_minutes": 30 if kind != "conference_hall" else 60, "max_minutes": 240, "lead_minutes": 60,
                "horizon_days": 90, "buffer_after_minutes": 15 if kind in ("conference_hall", "exhibition") else 0,
                "weekly_quota_minutes": 600 if kind in ("coworking", "makerspace") else None,
            })
        closures = []
        for year in (today.year, today.year + 1):
            for (m1, d1), (m2, d2), reason in HOLIDAYS:
                closures.append((date(year, m1, d1), date(year, m2, d2), "holiday", reason))
        for day in rrule(MONTHLY, byweekday=FR(-1), dtstart=today.replace(day=1), count=12):
            closures.append((day.date(), day.date(), "sanitary", "Санитарный день"))
        await branches_admin.add_closures(admin, slug, [item for item in closures if item[1] >= today])  # what has passed is history
    return ids


async def _account(email: str, role: str, full_name: str, password_hash: str, phone: str | None = None) -> tuple[int, bool]:
    row = await Account.select(Account.id).where(Account.email == email).first()
    if row:
        return row["id"], False
    now = now_utc()
    account = Account(role=role, email=email, phone=phone, full_name=full_name, password_hash=password_hash, created_at=now, updated_at=now)
    await account.save()
    return account.id, True


READERS = [
    # seed, e-mail, name, age in years, home branch, guardian
    ("0001", "reader@libspace.local", "Анна Сергеевна Ковалёва", 34, "centralnaya", ""),
    ("0002", "teen@libspace.local", "Максим Дмитриевич Орлов", 15, "chekhov", ""),
    ("0003", "minor@libspace.local", "Софья Андреевна Ли", 10, "dom-semyi", "Андрей Викторович Ли"),
    ("0004", "student@libspace.local", "Егор Павлович Никитин", 19, "mashuk-observatory", ""),
]


def demo_birth_date(age: int, today: date) -> date:
    """A 15 March birthday that makes the reader ``age`` years old today (relativedelta: 29 February is fine)."""
    birth = date(today.year - age, 3, 15)
    return birth if birth <= today - relativedelta(years=age) else birth - relativedelta(years=1)


async def load(if_empty: bool = False, with_events: bool = True, with_history: bool = False) -> str:
    from piccolo.engine import engine_finder

    if if_empty and await Branch.count() > 0:
        return "demo data: the database already holds data, nothing loaded"
    password_hash = hash_password(DEMO_PASSWORD)
    today = today_in(get_settings().tz)
    outbox_before = await _last_outbox_id()
    async with write_transaction(engine_finder()):
        admin_id, _created = await _account("admin@libspace.local", "admin", "Администратор МИБС", password_hash)
        branches = await _branches(Principal(id=admin_id, role="admin", full_name="Администратор МИБС"))
        for slug in branches:
            account_id, created = await _account(f"staff.{slug}@libspace.local", "staff", f"Сотрудник ({slug})", password_hash)
            if created:
                await StaffBranch.insert(StaffBranch(account=account_id, branch=branches[slug]))
        counsellors = {email: (await _account(email, "counsellor", name, password_hash))[0] for email, name in COUNSELLORS}
        await _account("teacher@libspace.local", "teacher", "Татьяна Николаевна Громова", password_hash)
        now = now_utc()
        for seed, email, name, age, branch_slug, guardian in READERS:
            account_id, created = await _account(email, ROLE_READER, name, password_hash)
            if created:
                birth = demo_birth_date(age, today)
                await ReaderCard.insert(
                    ReaderCard(account=account_id, card_number=card_for(seed), birth_date=birth, home_branch=branches[branch_slug], consent_at=now, guardian_name=guardian, guardian_consent_at=now if guardian else None, created_at=now)
                )
        await _guidance(branches, counsellors, today, with_events)
        await rooms_service.changed()
        await schools_demo.load(branches, password_hash)
        await cache.bump(guidance_service.FIELDS_CACHE)
        await cache.bump(guidance_availability.AVAILABILITY_CACHE)
    booked = await _bookings(today)
    events, sign_ups = await demo_events.load(today) if with_events else (0, 0)
    history = ""
    if with_history:  # a past year for the statistics (src/demo_history.py), made through the services
        from src import demo_history

        history = "\n" + await demo_history.load(today)
    await _no_mail_to_invented_people(outbox_before)
    return f"demo data ready: {len(branches)} branches, {booked} new bookings, {events} new events, {sign_ups} new sign-ups; log in with any demo account and the password {DEMO_PASSWORD!r}{history}"


async def _last_outbox_id() -> int:
    from src.notifications.tables import Outbox

    row = await Outbox.select(Outbox.id).order_by(Outbox.id, ascending=False).first()
    return row["id"] if row else 0


async def _no_mail_to_invented_people(after_id: int) -> None:
    """The demo's sign-ups and bookings (its past year too) write their messages like any other; nobody reads
    @libspace.local: the ones this load wrote to them go."""
    from src.notifications.tables import Outbox

    demo_accounts = Account.select(Account.id).where(Account.email.like("%@libspace.local"))
    await Outbox.delete().where(Outbox.recipient.is_in(demo_accounts) & (Outbox.id > after_id))


# holder e-mail, branch, zone name, days from today (the next open day from then), start hour, hours, purpose,
# headcount, weekly count: bookings within the coming week (and one weekly series), some waiting for approval.
BOOKINGS = [
    ("reader@libspace.local", "centralnaya", "Коворкинг", 1, 14, 2, "Работа над курсовым проектом", 3, None),
    ("reader@libspace.local", "chekhov", "Конференц-зал", 3, 15, 2, "Клуб настольных игр", 12, None),
    ("teen@libspace.local", "mashuk-observatory", "Малая киностудия", 2, 16, 2, "Съёмка школьного видеоблога", 4, None),
    ("student@libspace.local", "dom-semyi", "Каминная гостиная", 2, 17, 2, "Книжный клуб «Амурские страницы»", 10, 4),
    ("staff.centralnaya@libspace.local", "centralnaya", "Зал дискуссий", 1, 10, 2, "Профилактика проектора и звука", 0, None),
    ("staff.chekhov@libspace.local", "chekhov", "Коворкинг", 4, 11, 1, "Встреча волонтёров библиотеки", 8, None),
]


async def _bookings(today: date) -> int:
    """Demo bookings through the booking service (so they obey every rule); already there or taken: skipped."""
    made = 0
    for email, slug, zone_name, days, hour, hours, purpose, headcount, weekly in BOOKINGS:
        branch = await rooms_service.get_branch(slug)
        zone = next(zone for zone in branch.zones if zone.name == zone_name)
        on = today + timedelta(days=days)
        while not zone.schedule.day(on).is_open:
            on += timedelta(days=1)
        starts_at = datetime.combine(on, time(hour), tzinfo=branch.tz)
        account = await Account.select(Account.id, Account.role).where(Account.email == email).first()
        if await Booking.exists().where((Booking.zone == zone.id) & (Booking.starts_at == starts_at)):
            continue
        staff = account["role"] != ROLE_READER
        holder_kind = (HOLDER_BLOCK if headcount == 0 else HOLDER_STAFF) if staff else HOLDER_READER
        reservation = bookings.Reservation(
            zone_id=zone.id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), holder_kind=holder_kind,
            holder_id=account["id"], purpose=purpose, headcount=headcount, actor_id=account["id"],
            recurrence=Recurrence(freq="weekly", count=weekly) if weekly else None, skip_conflicts=True,
            status=PENDING if zone.requires_approval and not staff else CONFIRMED,
        )
        try:
            made += len((await bookings.reserve(reservation)).bookings)
        except AppError:
            continue
    return made


COUNSELLORS = [
    ("counsellor@libspace.local", "Ирина Олеговна Белова"),
    ("counsellor2@libspace.local", "Дмитрий Сергеевич Ким"),
    ("counsellor3@libspace.local", "Ольга Викторовна Пак"),
]

# counsellor e-mail -> (branch, weekday 0 = Monday, from, to, slot minutes, buffer minutes)
AVAILABILITY = {
    "counsellor@libspace.local": [("chekhov", 0, time(15), time(19), 45, 15), ("chekhov", 2, time(15), time(19), 45, 15), ("centralnaya", 4, time(11), time(15), 60, 0)],
    "counsellor2@libspace.local": [("mashuk-observatory", 1, time(12), time(17), 30, 10), ("mashuk-observatory", 3, time(12), time(17), 30, 10), ("dialog", 5, time(11), time(14), 45, 15)],
    "counsellor3@libspace.local": [("centralnaya", 1, time(14), time(18), 45, 15), ("chekhov", 3, time(12), time(16), 60, 0)],
}

# slug, Russian, English, types, Russian description, English description, other names events use
FIELDS = [
    ("it", "ИТ и программирование", "IT and programming", "signs,technology", "Разработка программ, сайтов и игр, анализ данных, кибербезопасность.", "Software, websites and games, data analysis, cyber security.", "ИТ, программирование, IT"),
    ("medicine", "Медицина", "Medicine", "people,nature", "Врачи, медсёстры, фармацевты, лаборанты.", "Doctors, nurses, pharmacists, lab technicians.", "здравоохранение"),
    ("engineering", "Инженерное дело", "Engineering", "technology", "Машины, энергетика, строительство, космодром «Восточный».", "Machines, power, construction, the Vostochny cosmodrome.", "инженерия, техника"),
    ("education", "Образование", "Education", "people", "Учителя, воспитатели, педагоги дополнительного образования, библиотекари.", "Teachers, nursery teachers, club leaders, librarians.", "педагогика"),
    ("arts", "Искусство и дизайн", "Arts and design", "art", "Дизайн, живопись, музыка, театр, фотография.", "Design, painting, music, theatre, photography.", "искусство, дизайн"),
    ("ecology", "Экология и природопользование", "Ecology and nature", "nature", "Охрана природы, заповедники, лесное и водное хозяйство.", "Nature protection, reserves, forests and waters.", "экология"),
    ("agriculture", "Сельское хозяйство", "Agriculture", "nature,technology", "Агрономия, селекция сои, сельхозтехника: главная отрасль Приамурья.", "Agronomy, soybean breeding, farm machinery: the Amur region's main industry.", "агрономия, аграрный сектор"),
    ("finance", "Экономика и финансы", "Economics and finance", "signs,people", "Бухгалтерия, банки, аналитика, предпринимательство.", "Accounting, banking, analytics, entrepreneurship.", "экономика, финансы"),
    ("media", "Журналистика и медиа", "Journalism and media", "art,people,signs", "Журналистика, блогинг, видеопроизводство, реклама.", "Journalism, blogging, video production, advertising.", "медиа, журналистика, блогинг"),
    ("transport", "Транспорт и логистика", "Transport and logistics", "technology,signs", "Железная дорога, авиация, речной порт, склады и доставка.", "Railways, aviation, the river port, warehouses and delivery.", "транспорт, логистика"),
]

# the demo teenager's answers: most for technology, then sign systems
TEEN_ANSWERS = {
    **{f"c{i:02d}": v for i, v in enumerate("bbaaababbbabaabbbaab", start=1)},
    "r01": "1", "r02": "4", "r03": "2", "r04": "3", "r05": "1",
}


async def _guidance(branches: dict[str, int], counsellors: dict[str, int], today: date, with_events: bool = True) -> None:
    now = now_utc()
    for position, (slug, ru, en, types, d_ru, d_en, aliases) in enumerate(FIELDS):
        if not await ProfessionField.exists().where(ProfessionField.slug == slug):
            await ProfessionField.insert(ProfessionField(slug=slug, name_ru=ru, name_en=en, types=types, description_ru=d_ru, description_en=d_en, aliases=aliases, position=position, updated_at=now))
    for email, windows in AVAILABILITY.items():
        counsellor_id = counsellors[email]
        if await CounsellorAvailability.exists().where(CounsellorAvailability.counsellor == counsellor_id):
            continue
        await CounsellorAvailability.insert(*[
            CounsellorAvailability(counsellor=counsellor_id, branch=branches[slug], weekday=weekday, starts=starts, ends=ends, slot_minutes=slot, buffer_minutes=buffer, created_at=now)
            for slug, weekday, starts, ends, slot, buffer in windows
        ])
    teen = await Account.select(Account.id).where(Account.email == "teen@libspace.local").first()
    if teen and not await SurveyResponse.exists().where(SurveyResponse.reader == teen["id"]):
        scores = guidance_rules.score(TEEN_ANSWERS)
        await SurveyResponse.insert(SurveyResponse(reader=teen["id"], answers=TEEN_ANSWERS, scores=scores, top_types=",".join(guidance_rules.top_types(scores)), created_at=now - timedelta(days=12)))
    if teen and not await Consultation.exists().where(Consultation.reader == teen["id"]):
        day = today - timedelta(days=7)
        starts = datetime.combine(day, time(15), tzinfo=ZoneInfo("Asia/Yakutsk")).astimezone(UTC)
        await Consultation.insert(Consultation(
            counsellor=counsellors["counsellor@libspace.local"], reader=teen["id"], branch=branches["chekhov"], starts_at=starts, ends_at=starts + timedelta(minutes=45),
            status="booked", topic="Хочу понять, идти ли в 10 класс или в колледж",
            next_steps="1. Сходить на день открытых дверей Амурского колледжа строительства и ЖКХ.\n2. Попробовать курс «Основы Python» в библиотеке-обсерватории.\n3. Пройти опрос ещё раз через полгода.",
            private_notes="Сомневается из-за мнения родителей; предложить семейную встречу.", notes_updated_at=now, created_at=now - timedelta(days=10),
        ))
    if teen and with_events:
        await _attended_workshop(teen["id"], branches["chekhov"], today, now)


async def _attended_workshop(reader_id: int, branch_id: int, today: date, now: datetime) -> None:
    """A career workshop three weeks ago that the demo teenager was checked in at (for the career passport)."""
    title = "Профессия: агроном-селекционер"
    if await Event.exists().where(Event.title == title):
        return
    starts = datetime.combine(today - timedelta(days=21), time(16), tzinfo=ZoneInfo("Asia/Yakutsk")).astimezone(UTC)
    event = Event(
        branch=branch_id, title=title, category="career_workshop", min_age=14, max_age=18, starts_at=starts, ends_at=starts + timedelta(hours=2),
        capacity=20, seats_taken=1, host_name="Ольга Данилова", host_profession="агроном-селекционер", host_organisation="ФНЦ «Всероссийский НИИ сои»",
        profession_types="nature,technology", career_fields="агрономия", search_text=title.casefold(), attendance_taken=True, created_at=now, updated_at=now,
    )
    await event.save()
    await Registration.insert(Registration(event=event.id, reader=reader_id, status="confirmed", ticket_code="DEM0AGR0N0M1", checked_in_at=starts + timedelta(minutes=5), created_at=now - timedelta(days=25)))
