"""Demo events: career workshops with profession types, local history, a reading club series, exhibitions,
family master classes; one event full with a waitlist; sign-ups for the demo readers. Idempotent: an event is
found by branch, title and start; a sign-up that exists is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from src.accounts import service as accounts_service
from src.accounts.tables import Account
from src.events import service as events_service
from src.events.service import EventInput
from src.events.tables import Event
from src.exceptions import AppError
from src.rooms import service as rooms_service

DESCRIPTION_CAREER = """Как выглядит обычный рабочий день, чему учиться после школы и с чего начать уже сейчас.

- рассказ о профессии от первого лица;
- **практическое задание**;
- вопросы и ответы.

Подробнее о профориентации — на стойке информации любой библиотеки."""

# title, branch, zone name (or ""), days ahead, hour, hours, category, min age, max age, capacity, seats per sign-up,
# waitlist, host (name, profession, organisation), profession types, fields, recurrence, audience
EVENTS = [
    ("Профессия: инженер-программист", "chekhov", "Конференц-зал", 5, 16, 2, "career_workshop", 14, 18, 20, 1, True,
     ("Артём Лебедев", "инженер-программист", "ООО «Амур-Софт»"), ["technology", "signs"], ["IT"], "", "для старшеклассников"),
    ("Профессия: врач", "chekhov", "Конференц-зал", 9, 16, 2, "career_workshop", 14, 18, 15, 1, True,
     ("Ирина Ким", "хирург", "Амурская областная клиническая больница"), ["people", "nature"], ["медицина"], "", ""),
    ("Мастер-класс: видеоблогинг за один вечер", "centralnaya", "Школа видеоблогинга", 4, 17, 2, "master_class", 14, None, 2, 1, True,
     ("Дарья Соколова", "видеограф", "Школа видеоблогинга «Центральной»"), ["art", "technology"], ["медиа"], "", ""),
    ("Краеведческая гостиная: старый Благовещенск", "centralnaya", "Народный музей", 6, 15, 2, "local_history", None, None, 25, 2, True,
     ("Николай Петров", "краевед", "Народный музей"), [], [], "", "для всех возрастов"),
    ("Выставка «Амурские зарисовки»", "volkov-arts", "", 1, 10, 8, "exhibition", None, None, None, 1, False,
     ("", "", ""), [], [], "", "вход свободный"),
    ("Читательский клуб «Диалог поколений»", "dialog", "Литературное достояние", 3, 17, 1, "reading_club", 12, None, 15, 1, True,
     ("Елена Морозова", "библиотекарь", ""), [], [], "FREQ=WEEKLY;INTERVAL=2;COUNT=6", ""),
    ("Семейный мастер-класс: новогодняя игрушка", "dom-semyi", "Детская комната", 7, 12, 2, "family", 5, None, 12, 4, True,
     ("", "", ""), ["art"], [], "", "для детей с родителями"),
    ("Лекция: как устроен 3D-принтер", "mashuk-observatory", "Научная лаборатория", 8, 16, 1, "lecture", 12, 17, 12, 1, False,
     ("Сергей Волков", "инженер-конструктор", "АмГУ"), ["technology"], ["инженерия"], "", ""),
]

# reader e-mail, event title, seats
SIGN_UPS = [
    ("teen@libspace.local", "Профессия: инженер-программист", 1),
    ("teen@libspace.local", "Мастер-класс: видеоблогинг за один вечер", 1),
    ("student@libspace.local", "Мастер-класс: видеоблогинг за один вечер", 1),
    ("reader@libspace.local", "Мастер-класс: видеоблогинг за один вечер", 1),  # full by now: the waitlist
    ("reader@libspace.local", "Краеведческая гостиная: старый Благовещенск", 2),
    ("minor@libspace.local", "Семейный мастер-класс: новогодняя игрушка", 2),
    ("teen@libspace.local", "Лекция: как устроен 3D-принтер", 1),
]


def _open_day(branch: rooms_service.BranchZones, on: date) -> date:
    while not branch.schedule.day(on).is_open:
        on += timedelta(days=1)
    return on


async def _principal(email: str):
    row = await Account.select(Account.id).where(Account.email == email).first()
    return await accounts_service.load_principal(row["id"]) if row else None


async def load(today: date) -> tuple[int, int]:
    """Returns (events created, sign-ups made)."""
    created = signed = 0
    for title, slug, zone_name, days, hour, hours, category, min_age, max_age, capacity, per, waitlist, host, types, fields, rule, audience in EVENTS:
        branch = await rooms_service.get_branch(slug)
        on = _open_day(branch, today + timedelta(days=days))
        starts_at = datetime.combine(on, time(hour), tzinfo=branch.tz)
        if await Event.exists().where((Event.branch == branch.id) & (Event.title == title)):
            continue
        staff = await _principal(f"staff.{slug}@libspace.local")
        zone = next((zone.id for zone in branch.zones if zone.name == zone_name), None)
        data = EventInput(
            title=title, category=category, branch=slug, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
            description=DESCRIPTION_CAREER if category == "career_workshop" else "", zone_id=zone, audience=audience, capacity=capacity,
            seats_per_signup=per, min_age=min_age, max_age=max_age, waitlist=waitlist, recurrence=rule, host_name=host[0],
            host_profession=host[1], host_organisation=host[2], profession_types=types, career_fields=fields,
            accessibility=branch.accessibility,
        )
        try:
            created += len(await events_service.create_event(staff, data))
        except AppError:  # the zone is taken (say by a demo booking): hold the event without the zone
            data.zone_id = None
            created += len(await events_service.create_event(staff, data))
    for email, title, seats in SIGN_UPS:
        reader = await _principal(email)
        event = await Event.select(Event.id).where(Event.title == title).order_by(Event.starts_at).first()
        if reader is None or event is None:
            continue
        try:
            await events_service.sign_up(reader, event["id"], seats)
            signed += 1
        except AppError:  # already signed up (a second run), or no longer possible
            continue
    return created, signed
