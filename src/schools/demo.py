"""Demo schools, their teachers, programmes in several branches, and visits in every status. Idempotent: rows are
found by their natural keys (school slug, e-mail, programme title, school + class + programme). Runs inside the
demo's write transaction (src/demo.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from src import cache
from src.accounts.tables import Account
from src.rooms import service as rooms_service
from src.schools import programmes as programmes_service
from src.schools import rules, zones
from src.schools.constants import CANCELLED, CONFIRMED, DECLINED, PROPOSED, REQUESTED, TEACHER_APPROVED, TEACHER_PENDING
from src.schools.rules import Window
from src.schools.tables import Programme, ProgrammeBranch, ProgrammeHours, ProgrammeZoneKind, School, Teacher, VisitRequest, VisitStatusChange, VisitWindow
from src.timeutil import now_utc

# slug, name, number, address, contact person, phone, e-mail
SCHOOLS = [
    ("school-5", "МАОУ «Школа № 5 г. Благовещенска»", "5", "г. Благовещенск, ул. Калинина, 10 (демо-адрес)", "Громова Татьяна Николаевна", "+74162000005", "school5@example.ru"),
    ("school-14", "МАОУ «Школа № 14 г. Благовещенска»", "14", "г. Благовещенск, ул. Кантемирова, 19 (демо-адрес)", "Левченко Ольга Игоревна", "+74162000014", "school14@example.ru"),
    ("alekseevskaya", "МАОУ «Алексеевская гимназия г. Благовещенска»", "", "г. Благовещенск, ул. Ленина, 37 (демо-адрес)", "Шевченко Марина Петровна", "+74162000037", "gymnasium@example.ru"),
    ("lyceum-11", "МАОУ «Лицей № 11 г. Благовещенска»", "11", "г. Благовещенск, ул. Пушкина, 6 (демо-адрес)", "Ким Сергей Александрович", "+74162000011", "lyceum11@example.ru"),
]

# e-mail, full name, school, status
TEACHERS = [
    ("teacher@libspace.local", "Татьяна Николаевна Громова", "school-5", TEACHER_APPROVED),
    ("teacher.school-14@libspace.local", "Ольга Игоревна Левченко", "school-14", TEACHER_APPROVED),
    ("teacher.alekseevskaya@libspace.local", "Марина Петровна Шевченко", "alekseevskaya", TEACHER_APPROVED),
    ("teacher.lyceum-11@libspace.local", "Сергей Александрович Ким", "lyceum-11", TEACHER_APPROVED),
    ("new.teacher@libspace.local", "Дарья Андреевна Сафонова", "school-14", TEACHER_PENDING),
]

TUE_FRI = (1, 2, 3, 4)
# title, topic, description, minutes, grades, group sizes, lead days, zone kinds, branches, weekdays, hours
PROGRAMMES = [
    ("Урок краеведения «Благовещенск — город на Амуре»", "local_studies", "История города от Усть-Зейского поста до наших дней: карты, фотографии и предметы из фондов народного музея.", 60, (3, 9), (10, 30), 7, ("local_history", "conference_hall", "reading_hall"), ("centralnaya", "dialog", "bagulnik"), TUE_FRI, (time(10), time(16))),
    ("Экскурсия по библиотеке", "library_tour", "Как устроена библиотека, как найти книгу в каталоге и как получить единый читательский билет.", 60, (1, 6), (10, 25), 3, ("reading_hall", "children"), ("komarov-children", "solnechnaya", "dom-semyi", "stanyukovich"), (1, 2, 3, 4, 5), (time(10), time(15))),
    ("Профориентационная игра «Город профессий»", "career", "Командная игра: ученики пробуют себя в профессиях Приамурья и узнают, где им учиться.", 90, (8, 11), (12, 30), 7, ("conference_hall",), ("chekhov", "centralnaya", "dom-semyi", "dialog"), TUE_FRI, (time(11), time(17))),
    ("Научная лаборатория: опыты и 3D-печать", "science", "Опыты, моделирование и печать на 3D-принтере в научной лаборатории библиотеки-обсерватории.", 90, (5, 8), (6, 10), 10, ("makerspace",), ("mashuk-observatory",), TUE_FRI, (time(10), time(17))),
    ("Медиаграмотность: как проверять новости", "media_literacy", "Практикум: источники, фейки, поиск фактов и безопасное поведение в сети.", 60, (7, 11), (8, 20), 5, ("computer_class", "conference_hall"), ("komarov-children", "solnechnaya", "dom-semyi"), TUE_FRI, (time(10), time(17))),
    ("Знакомство с художниками Приамурья", "arts", "Выставка и мастер-класс в арт-пространстве: пейзажи Амура и Зеи.", 60, (1, 11), (10, 35), 7, ("exhibition",), ("volkov-arts", "dialog"), (1, 2, 3, 4, 5), (time(10), time(17))),
    ("Литературная гостиная «Чехов на Амуре»", "literature", "Путь Чехова на Сахалин через Благовещенск: письма, чтения и обсуждение.", 60, (7, 11), (10, 25), 7, ("reading_hall", "conference_hall"), ("chekhov",), TUE_FRI, (time(11), time(18))),
]

# school, programme index, branch, class, grade, pupils, adults, status, reason
VISITS = [
    ("school-5", 2, "chekhov", "8Б", 8, 24, 2, REQUESTED, ""),
    ("school-5", 1, "komarov-children", "3А", 3, 15, 2, CONFIRMED, ""),
    ("school-14", 0, "centralnaya", "5В", 5, 20, 2, PROPOSED, ""),
    ("school-14", 5, "volkov-arts", "6А", 6, 26, 3, REQUESTED, ""),
    ("alekseevskaya", 6, "chekhov", "10А", 10, 22, 1, DECLINED, "В эти дни читальный зал занят подготовкой к фестивалю; предложите, пожалуйста, другие даты."),
    ("lyceum-11", 4, "dom-semyi", "9Б", 9, 18, 1, CANCELLED, ""),
]


async def _schools(now: datetime) -> dict[str, int]:
    ids = {}
    for slug, name, number, address, contact, phone, email in SCHOOLS:
        row = await School.select(School.id).where(School.slug == slug).first()
        if row is None:
            school = School(slug=slug, name=name, number=number, address=address, contact_name=contact, contact_phone=phone, contact_email=email, created_at=now)
            await school.save()
            ids[slug] = school.id
        else:
            ids[slug] = row["id"]
    return ids


async def _teachers(schools: dict[str, int], password_hash: str, now: datetime) -> dict[str, int]:
    ids = {}
    for email, name, school, status in TEACHERS:
        row = await Account.select(Account.id).where(Account.email == email).first()
        if row is None:
            account = Account(role="teacher", email=email, full_name=name, password_hash=password_hash, created_at=now, updated_at=now)
            await account.save()
            account_id = account.id
        else:
            account_id = row["id"]
        if not await Teacher.exists().where(Teacher.account == account_id):
            decided = now if status == TEACHER_APPROVED else None
            await Teacher.insert(Teacher(account=account_id, school=schools[school], status=status, decided_at=decided, created_at=now))
        ids[school] = ids.get(school, account_id)
    return ids


async def _programmes(branches: dict[str, int], now: datetime) -> list[int]:
    ids = []
    for title, topic, description, minutes, grades, sizes, lead, kinds, slugs, weekdays, (starts, ends) in PROGRAMMES:
        row = await Programme.select(Programme.id).where(Programme.title == title).first()
        if row is not None:
            ids.append(row["id"])
            continue
        programme = Programme(
            title=title, description=description, topic=topic, duration_minutes=minutes, grade_min=grades[0], grade_max=grades[1],
            group_min=sizes[0], group_max=sizes[1], lead_days=lead, created_at=now, updated_at=now,
        )
        await programme.save()
        await ProgrammeBranch.insert(*[ProgrammeBranch(programme=programme.id, branch=branches[slug]) for slug in slugs])
        await ProgrammeZoneKind.insert(*[ProgrammeZoneKind(programme=programme.id, kind=kind) for kind in kinds])
        await ProgrammeHours.insert(*[ProgrammeHours(programme=programme.id, weekday=day, starts=starts, ends=ends) for day in weekdays])
        ids.append(programme.id)
    await cache.bump(programmes_service.CACHE_NAME)
    return ids


async def _visit(spec: tuple, schools: dict[str, int], teachers: dict[str, int], programme_ids: list[int], offset_days: int, now: datetime) -> None:
    school, index, branch_slug, class_name, grade, pupils, adults, status, reason = spec
    programme = await programmes_service.get_programme(programme_ids[index])
    exists = await VisitRequest.exists().where(
        (VisitRequest.school == schools[school]) & (VisitRequest.programme == programme.id) & (VisitRequest.class_name == class_name)
    )
    if exists:
        return
    branch = await rooms_service.get_branch(branch_slug)
    tz = branch.tz
    first_day = (now + timedelta(days=programme.lead_days + offset_days)).astimezone(tz).date()
    windows = [Window(datetime.combine(first_day + timedelta(days=d), time(9), tzinfo=tz), datetime.combine(first_day + timedelta(days=d), time(18), tzinfo=tz)) for d in (0, 1, 2)]
    visit = VisitRequest(
        school=schools[school], programme=programme.id, branch=branch.id, requested_by=teachers[school], class_name=class_name, grade=grade,
        group_size=pupils, adults=adults, needs="Один ученик на коляске" if status == CONFIRMED else "", note="", status=REQUESTED,
        created_at=now, updated_at=now,
    )
    await visit.save()
    await VisitWindow.insert(*[VisitWindow(visit=visit.id, position=i, starts_at=w.starts_at, ends_at=w.ends_at) for i, w in enumerate(windows)])
    await VisitStatusChange.insert(VisitStatusChange(visit=visit.id, from_status="", to_status=REQUESTED, changed_by=teachers[school], changed_at=now))
    if status == REQUESTED:
        return
    columns: dict = {VisitRequest.status: status, VisitRequest.decline_reason: reason}
    if status in (CONFIRMED, PROPOSED):
        candidates = zones.suitable(branch, programme.rules, pupils + adults)
        free = await zones.free_time(branch, candidates, windows[0].starts_at, windows[-1].ends_at + timedelta(days=14), now)
        fits = [zones.zone_fit(zone) for zone in candidates]
        # A confirmed visit lies in the first window; a proposed one at another time (the windows did not suit).
        found = [s for s in rules.suggest(windows, programme.rules, tz, fits, free, pupils + adults, now) if (s.window is None) == (status == PROPOSED)]
        if found:
            choice = found[0]
            booking = await zones.hold(choice.zone_id, choice.starts_at, choice.ends_at, visit.id, f"{programme.title} — {class_name}", pupils + adults, None, teachers[school])
            columns |= {VisitRequest.zone: choice.zone_id, VisitRequest.starts_at: choice.starts_at, VisitRequest.ends_at: choice.ends_at, VisitRequest.booking: booking}
        else:
            columns[VisitRequest.status] = REQUESTED
    await VisitRequest.update(columns).where(VisitRequest.id == visit.id)
    await VisitStatusChange.insert(VisitStatusChange(visit=visit.id, from_status=REQUESTED, to_status=columns[VisitRequest.status], changed_at=now, note=reason))


async def load(branches: dict[str, int], password_hash: str) -> None:
    """Schools with teachers, programmes and visits; call inside the demo's write transaction."""
    now = now_utc()
    await rooms_service.changed()  # the zones just written must be visible to the booking service
    schools = await _schools(now)
    teachers = await _teachers(schools, password_hash, now)
    programme_ids = await _programmes(branches, now)
    for offset, spec in enumerate(VISITS):
        await _visit(spec, schools, teachers, programme_ids, offset, now)
