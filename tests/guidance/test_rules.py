"""Pure rules: scoring on known answer sets, top types, slots from availability, cancellation, ranking."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from src.branches.rules import ClosureRow, DateRow, HoursRow, Schedule
from src.guidance import content, rules
from src.guidance.constants import TYPES
from src.i18n import reset_language, set_language

TZ = ZoneInfo("Asia/Yakutsk")
UTC = ZoneInfo("UTC")


def answers_for(favourite: str, rated: dict[str, int] | None = None) -> dict[str, str]:
    """Pick ``favourite`` whenever it is offered, else the first option; rate as given (default 0)."""
    answers = {}
    for item in content.ITEMS:
        if item.kind == content.CHOICE:
            chosen = next((o for o in item.options if o.type == favourite), item.options[0])
            answers[item.id] = chosen.value
        else:
            answers[item.id] = str((rated or {}).get(item.type, 0))
    return answers


def test_survey_has_at_least_20_items_each_mapped_to_types_with_equal_maximum():
    assert len(content.ITEMS) >= 20
    wins = {t: 0 for t in TYPES}
    for item in content.ITEMS:
        assert item.ru and item.en and all(o.ru and o.en for o in item.options)
        if item.kind == content.CHOICE:
            assert len(item.options) == 2 and item.options[0].type != item.options[1].type
            for option in item.options:
                wins[option.type] += 1
        else:
            assert item.type in TYPES and [o.value for o in item.options] == ["0", "1", "2", "3", "4"]
    assert set(wins.values()) == {8}
    assert rules.MAX_SCORE == 12


def test_scoring_known_answer_sets():
    everything_technology = answers_for("technology", {"technology": 4})
    scores = rules.score(everything_technology)
    assert scores["technology"] == 12
    assert sum(scores.values()) == 20 + 4  # every forced choice gives one point somewhere
    assert rules.top_types(scores) == ("technology",)

    from src.demo import TEEN_ANSWERS

    teen = rules.score(TEEN_ANSWERS)
    assert teen == {"nature": 2, "technology": 10, "people": 6, "signs": 9, "art": 4}
    assert rules.top_types(teen) == ("technology", "signs")


def test_top_types_ties_and_margin():
    assert rules.top_types({"nature": 5, "technology": 5, "people": 5, "signs": 5, "art": 5}) == ("nature", "technology", "people")
    assert rules.top_types({"nature": 1, "technology": 2, "people": 9, "signs": 7, "art": 8}) == ("people", "art")
    assert rules.top_types({"nature": 11, "technology": 2, "people": 9, "signs": 7, "art": 8}) == ("nature",)


def test_answers_accept_numbers_for_rated_items_and_list_every_bad_item():
    answers = answers_for("art")
    answers["r01"] = 3  # a number, not a string
    assert rules.answer_errors(answers) == []
    assert rules.score(answers)["nature"] >= 3
    bad = dict(answers)
    del bad["c01"]
    bad["c02"] = "z"
    bad["r02"] = 7
    bad["r03"] = True
    bad["x99"] = "a"
    fields = [e.field for e in rules.answer_errors(bad)]
    assert fields == ["answers.c01", "answers.c02", "answers.r02", "answers.r03", "answers.x99"]


def test_explanation_in_both_languages():
    scores = {"nature": 1, "technology": 2, "people": 9, "signs": 7, "art": 8}
    token = set_language("en")
    try:
        summary, parts = rules.explain(scores, ("people", "art"), "en")
        assert "Person – person" in summary and [p.type for p in parts] == ["people", "art"]
        assert parts[0].description and parts[0].examples
    finally:
        reset_language(token)
    summary_ru, parts_ru = rules.explain(scores, ("people",), "ru")
    assert parts_ru[0].name == "Человек – человек"
    flat, _parts = rules.explain({t: 6 for t in TYPES}, ("nature", "technology", "people"), "en")
    assert "ровно" in flat  # interface sentences follow the request language (Russian by default)
    theirs, _parts = rules.explain(scores, ("people",), "ru", own=False)  # a counsellor reads about the reader
    assert theirs.startswith("Ответы читателя") and "Ваши" not in theirs


# --- slots ---------------------------------------------------------------------------------------------

OPEN = Schedule(weekly=tuple(HoursRow(d, time(10), time(19)) for d in range(7)))
PLACES = {1: rules.Place(TZ, OPEN), 2: rules.Place(TZ, OPEN)}
MONDAY = date(2027, 3, 1)


def window(weekday=0, starts=time(14), ends=time(16), slot=45, buffer=15, branch=1, counsellor=7, **kw):
    return rules.WeeklyWindow(counsellor, branch, weekday, starts, ends, slot, buffer, **kw)


def local(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=TZ)


def test_slots_are_cut_with_buffers_inside_the_window():
    grid = rules.grid_slots([window()], [], MONDAY, MONDAY, PLACES)
    assert [(s.starts_at, s.ends_at) for s in grid] == [(local(MONDAY, 14), local(MONDAY, 14, 45)), (local(MONDAY, 15), local(MONDAY, 15, 45))]
    assert rules.grid_slots([window(slot=60, buffer=0)], [], MONDAY, MONDAY, PLACES)[-1].starts_at == local(MONDAY, 15)
    assert len(rules.grid_slots([window(slot=30, buffer=0)], [], MONDAY, MONDAY + timedelta(days=7), PLACES)) == 8


def test_slots_respect_closures_hours_validity_and_exceptions():
    closed = Schedule(weekly=OPEN.weekly, closures=(ClosureRow(MONDAY, MONDAY, "sanitary", "Санитарный день"),))
    assert rules.grid_slots([window()], [], MONDAY, MONDAY, {1: rules.Place(TZ, closed)}) == []
    short = Schedule(weekly=OPEN.weekly, dates={MONDAY: (DateRow(MONDAY, time(10), time(15)),)})
    assert [s.starts_at for s in rules.grid_slots([window()], [], MONDAY, MONDAY, {1: rules.Place(TZ, short)})] == [local(MONDAY, 14)]
    assert rules.grid_slots([window(valid_from=MONDAY + timedelta(days=1))], [], MONDAY, MONDAY, PLACES) == []
    day_off = rules.DateException(7, MONDAY, "off")
    assert rules.grid_slots([window()], [day_off], MONDAY, MONDAY, PLACES) == []
    late_start = rules.DateException(7, MONDAY, "off", starts=time(14), ends=time(14, 30))
    assert [s.starts_at for s in rules.grid_slots([window()], [late_start], MONDAY, MONDAY, PLACES)] == [local(MONDAY, 15)]
    extra = rules.DateException(7, MONDAY + timedelta(days=2), "extra", branch_id=2, starts=time(11), ends=time(12), slot_minutes=60, buffer_minutes=0)
    grid = rules.grid_slots([window()], [extra], MONDAY, MONDAY + timedelta(days=2), PLACES)
    assert [(s.branch_id, s.starts_at) for s in grid][-1] == (2, local(MONDAY + timedelta(days=2), 11))


def test_free_slots_remove_booked_time_with_buffer_and_apply_lead_and_horizon():
    grid = rules.grid_slots([window(slot=30, buffer=15, ends=time(17))], [], MONDAY, MONDAY, PLACES)
    assert [s.starts_at.astimezone(TZ).time() for s in grid] == [time(14), time(14, 45), time(15, 30), time(16, 15)]
    booked = [rules.Busy(7, local(MONDAY, 14, 45), local(MONDAY, 15, 15))]
    now = local(MONDAY, 8)
    free = rules.free_slots(grid, booked, now, 60, 60)
    assert [s.starts_at.astimezone(TZ).time() for s in free] == [time(14), time(15, 30), time(16, 15)]
    other_counsellor = [rules.Busy(8, local(MONDAY, 14), local(MONDAY, 17))]
    assert len(rules.free_slots(grid, other_counsellor, now, 60, 60)) == 4
    assert [s.starts_at.astimezone(TZ).time() for s in rules.free_slots(grid, [], local(MONDAY, 13, 30), 60, 60)] == [time(14, 45), time(15, 30), time(16, 15)]
    assert rules.free_slots(grid, [], local(MONDAY, 8) - timedelta(days=61), 60, 60) == []
    assert rules.find_slot(grid, 7, local(MONDAY, 14, 45).astimezone(UTC)) == grid[1]
    assert rules.find_slot(grid, 7, local(MONDAY, 14, 50)) is None


def test_window_validation():
    assert rules.window_errors(time(14), time(16), 45, 15) == []
    fields = {e.field for e in rules.window_errors(time(16), time(14), 50, 90)}
    assert fields == {"ends", "slot_minutes", "buffer_minutes"}
    assert [e.field for e in rules.window_errors(time(14), time(14, 30), 45, 0)] == ["ends"]


def test_cancellation_cutoff():
    starts = local(MONDAY, 15)
    assert rules.reader_may_cancel(starts, starts - timedelta(hours=12), 12)
    assert not rules.reader_may_cancel(starts, starts - timedelta(hours=11, minutes=59), 12)


# --- ranking -------------------------------------------------------------------------------------------

NOW = local(MONDAY, 9)
FIELD_TYPES = {"it": frozenset({"signs", "technology"}), "medicine": frozenset({"people", "nature"}), "arts": frozenset({"art"})}


def workshop(id, days=3, types=(), fields=(), branch=1, min_age=None, max_age=None, free=10, waitlist=False):
    starts = NOW + timedelta(days=days)
    return rules.Workshop(id, f"w{id}", branch, starts, starts + timedelta(hours=2), frozenset(types), frozenset(fields), min_age, max_age, free, waitlist)


def test_ranking_on_a_crafted_catalogue():
    reader = rules.ReaderFacts(birth_date=date(2011, 5, 1), home_branch_id=1, scores={"nature": 2, "technology": 10, "people": 6, "signs": 9, "art": 4}, top=("technology", "signs"))
    catalogue = [
        workshop(1, types=["art"]),  # weak fit
        workshop(2, fields=["it"], branch=2),  # strong fit through its field, another branch
        workshop(3, types=["technology"]),  # strong fit, home branch
        workshop(4, types=["technology"], min_age=18),  # too young on the day
        workshop(5, types=["technology"], free=0),  # full, no waitlist
        workshop(6, types=["technology"], free=0, waitlist=True, days=10),  # full, waitlist
        workshop(7, types=["people"], days=-1),  # past
        workshop(8, types=["technology"], branch=2, days=20),  # strong fit, later, elsewhere
    ]
    offers = [rules.ConsultationOffer(branch_id=2, counsellor_id=7, starts_at=NOW + timedelta(days=2))]
    ranked = rules.rank(catalogue, offers, reader, FIELD_TYPES, NOW, TZ)
    order = [(r.kind, getattr(r.item, "id", None)) for r in ranked]
    # strong fit at home; strong fit elsewhere (sooner first); waiting list only; weak fit at home; a counsellor elsewhere
    assert order == [("workshop", 3), ("workshop", 2), ("workshop", 8), ("workshop", 6), ("workshop", 1), ("consultation", None)]
    assert [reason.code for reason in ranked[0].reasons] == ["type", "home", "seats"]
    assert [reason.code for reason in ranked[3].reasons] == ["type", "home", "waitlist"]
    token = set_language("en")
    try:
        assert rules.why(ranked[1].reasons, "en", lambda slug: {"it": "IT"}[slug]) == "Fits your type «Person – technology»: IT · 10 free seats"
        assert rules.why(ranked[4].reasons, "en") == "Touches on «Person – artistic image» · at your home library · 10 free seats"
    finally:
        reset_language(token)


def test_ranking_without_a_profile_puts_the_home_branch_first_and_respects_age():
    reader = rules.ReaderFacts(birth_date=date(2011, 5, 1), home_branch_id=2, scores=None)
    catalogue = [workshop(1, types=["art"], days=1), workshop(2, types=["nature"], branch=2, days=5), workshop(3, min_age=12, max_age=14, days=2)]
    ranked = rules.rank(catalogue, [], reader, FIELD_TYPES, NOW, TZ)
    assert [r.item.id for r in ranked] == [2, 1]  # age on the day is 15: workshop 3 (12-14) is left out
    assert ranked[0].reasons[0].code == "no_profile"
    unknown_age = rules.ReaderFacts(birth_date=None, home_branch_id=None, scores=None)
    assert [r.item.id for r in rules.rank(catalogue, [], unknown_age, FIELD_TYPES, NOW, TZ)] == [1, 2]


def test_why_is_one_line_in_the_current_language():
    reasons = (rules.Reason("type", (("type", "technology"), ("field", "it"))), rules.Reason("home"), rules.Reason("seats", (("n", 3),)))
    token = set_language("en")
    try:
        line = rules.why(reasons, "en", lambda slug: "IT")
    finally:
        reset_language(token)
    assert line == "Fits your type «Person – technology»: IT · at your home library · 3 free seats"
    token = set_language("ru")
    try:
        ru = rules.why(reasons, "ru", lambda slug: "ИТ")
    finally:
        reset_language(token)
    assert "\n" not in ru and "Человек – техника" in ru


def test_fast_age_agrees_with_timeutil_including_leap_days():
    from src.timeutil import age_on as slow_age

    births = [date(2008, 2, 29), date(2010, 1, 1), date(2009, 12, 31), date(2011, 6, 15)]
    for birth in births:
        for offset in range(0, 365 * 20, 37):
            on = birth + timedelta(days=offset)
            assert rules.age_on(birth, on) == slow_age(birth, on), (birth, on)
    assert rules.age_bounds(date(2010, 6, 1), date(2026, 5, 1), date(2026, 7, 1)) == (15, 16)
    assert rules.age_bounds(None, date(2026, 5, 1), date(2026, 7, 1)) is None


def test_the_strongest_type_counts_most():
    """A reader whose strongest type is art sees the art workshop first, though a technology one (their second
    type) is sooner and at the home branch."""
    reader = rules.ReaderFacts(birth_date=date(2011, 5, 1), home_branch_id=1, scores={"nature": 2, "technology": 9, "people": 3, "signs": 4, "art": 10}, top=("art", "technology"))
    catalogue = [workshop(1, types=["technology"], days=1), workshop(2, types=["art"], branch=2, days=10)]
    assert [r.item.id for r in rules.rank(catalogue, [], reader, FIELD_TYPES, NOW, TZ)] == [2, 1]
    assert rules.top_type_bonus(frozenset({"art"}), reader.top) > rules.top_type_bonus(frozenset({"technology"}), reader.top) > rules.top_type_bonus(frozenset({"people"}), reader.top)
