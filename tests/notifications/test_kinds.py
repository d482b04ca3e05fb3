"""Every message kind the domains register, written in both languages: a subject, a text and its HTML; no
English word in a Russian message, and no template key, kind or action name in any of them."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from src import registrations
from src.i18n import fmt_day_time, reset_language, set_language
from src.notifications import messages, registry
from src.notifications.registry import About
from src.notifications.service import subject_text

SUBJECTS = {kind: subject for module in registrations.MODULES for kind, subject in module.SUBJECTS.items()}
SUBJECTS.update({kind: described.subject for kind, described in registry.KINDS.items() if described.subject})
STARTS = datetime(2026, 12, 9, 6, 0, tzinfo=timezone.utc)  # a fixed instant: only its wording is checked
PAYLOAD = {
    "title": "Сказки народов Приамурья", "zone": "Медиатека", "starts_at": STARTS.isoformat(), "timezone": "Asia/Yakutsk",
    "programme": "Город профессий", "school_name": "Школа № 5", "class_name": "8Б", "school": "Школа № 5", "card": "0012345",
    "ticket_code": "4821", "position": 3, "reason": "Болезнь лектора", "count": 2, "invited_by": "Иванова Анна",
    "slots_url": "http://test/guidance/slots", "branch": "Библиотека им. Чехова", "confirm_by": STARTS.isoformat(), "hours": 24, "path": "/me",
    "changes": ["title", "time", "place", "host", "details", "accessibility"], "old_title": "Сказки Приамурья", "host": "Иванова Анна", "reader": "Петров Иван",
    "device": "Firefox, Android", "at": STARTS.isoformat(), "limit": 2,
}
LEAKS = re.compile(r"%\(|\{|\}|\bNone\b|\b[a-z]+[._][a-z_]+\b")  # a template key, a kind or a payload key
LATIN = re.compile(r"[A-Za-z]{2,}")
ALLOWED_LATIN = {"QR", "Firefox", "Android"}  # the browser and system of a new device are their names


def written(kind: str, language: str) -> tuple[str, str, str]:
    token = set_language(language)
    try:
        when = fmt_day_time(STARTS, ZoneInfo("Asia/Yakutsk"))
        info = About(item=None, when=when, where="Библиотека им. Чехова, ул. Краснофлотская, 12", title=PAYLOAD["title"], until="17:00")
        recipient = messages.Recipient(1, "reader@example.org", "Анна", language)
        text = messages.render_body(kind, info, {**PAYLOAD, "subject": "x"}, recipient)
        return subject_text(language, SUBJECTS[kind], PAYLOAD), text, messages.render_html(text, language)
    finally:
        reset_language(token)


def without_links(text: str) -> str:
    return messages.URL.sub("", text)


def test_every_kind_has_a_subject():
    assert set(registry.KINDS) <= set(SUBJECTS), sorted(set(registry.KINDS) - set(SUBJECTS))


@pytest.mark.parametrize("kind", sorted(registry.KINDS))
@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_kind_reads_in_its_language(kind, language):
    subject, text, html = written(kind, language)
    for part in (subject, without_links(text)):
        assert not LEAKS.search(part), (kind, language, part)
    if language == "ru":
        english = set(LATIN.findall(without_links(subject + "\n" + text))) - ALLOWED_LATIN
        assert not english, (kind, english, text)
    assert "<p>" in html and "lang=\"" + language + "\"" in html
    if kind in {"registration_confirm_request", "registration_confirmed"}:
        assert text.count("9 декабря" if language == "ru" else "9 December") == 2, (kind, text)  # the start and the "confirm by"
    if kind in {"reminder", "registration_promoted", "event_moved", "event_changed", "visit.confirmed", "booking_confirmed"}:
        assert ("9 декабря" if language == "ru" else "9 December") in text, (kind, text)
