"""Pure rules about people: card numbers, contact details, ages, passwords. No I/O."""

from __future__ import annotations

import re
import secrets
from datetime import date

from src.accounts.constants import CARD_LENGTH, CARD_PREFIX, GUARDIAN_CONSENT_UNDER, MIN_PASSWORD_LENGTH
from src.exceptions import FieldError
from src.i18n import _
from src.timeutil import age_on

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9]{10,15}$")
CARD_RE = re.compile(r"^[0-9A-Za-z-]{4,20}$")


def luhn_check_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_check_digit(number[:-1]) == number[-1]


def new_card_number() -> str:
    body = CARD_PREFIX + "".join(secrets.choice("0123456789") for _ in range(CARD_LENGTH - len(CARD_PREFIX) - 1))
    return body + luhn_check_digit(body)


def normalize_email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def normalize_phone(value: str | None) -> str | None:
    """Keep digits and a leading plus; a Russian 8XXXXXXXXXX becomes +7XXXXXXXXXX."""
    raw = (value or "").strip()
    if not raw:
        return None
    cleaned = ("+" if raw.startswith("+") else "") + re.sub(r"\D", "", raw)
    if len(cleaned) == 11 and cleaned.startswith("8"):
        cleaned = "+7" + cleaned[1:]
    return cleaned


def normalize_card(value: str | None) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def looks_like_card(login: str) -> bool:
    return "@" not in login and bool(CARD_RE.match(normalize_card(login)))


def contact_errors(email: str | None, phone: str | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if email and not EMAIL_RE.match(email):
        errors.append(FieldError("email", _("Enter a valid e-mail address, such as name@example.ru")))
    if phone and not PHONE_RE.match(phone):
        errors.append(FieldError("phone", _("Enter a phone number of 10 to 15 digits, such as +7 914 123-45-67")))
    if not email and not phone:
        errors.append(FieldError("email", _("Give an e-mail address or a phone number so the library can reach you")))
    return errors


def birth_date_errors(birth_date: date, today: date) -> list[FieldError]:
    if birth_date > today:
        return [FieldError("birth_date", _("The birth date cannot be in the future"))]
    if age_on(birth_date, today) > 120:
        return [FieldError("birth_date", _("Check the birth date: the year looks wrong"))]
    return []


def needs_guardian(birth_date: date, today: date) -> bool:
    return age_on(birth_date, today) < GUARDIAN_CONSENT_UNDER


def guardian_errors(birth_date: date, today: date, guardian_name: str, guardian_consent: bool) -> list[FieldError]:
    if not needs_guardian(birth_date, today):
        return []
    errors = []
    if not guardian_name.strip():
        errors.append(
            FieldError("guardian_name", _("Readers under %(age)s need a parent or guardian: give their name", age=GUARDIAN_CONSENT_UNDER))
        )
    if not guardian_consent:
        errors.append(
            FieldError("guardian_consent", _("Readers under %(age)s need a parent's or guardian's consent", age=GUARDIAN_CONSENT_UNDER))
        )
    return errors


def password_errors(password: str, field: str = "password") -> list[FieldError]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldError(field, _("The password needs at least %(n)s characters", n=MIN_PASSWORD_LENGTH))]
    if len(password) > 256:
        return [FieldError(field, _("The password is too long"))]
    return []


def name_errors(full_name: str) -> list[FieldError]:
    if len(full_name.strip()) < 2:
        return [FieldError("full_name", _("Enter your full name"))]
    if len(full_name) > 200:
        return [FieldError("full_name", _("The name is too long"))]
    return []


def search_key(text: str | None) -> str:
    """A name as the desk searches it: case-folded (Cyrillic too), single spaces, ё as е."""
    return " ".join((text or "").casefold().replace("ё", "е").split())
