from datetime import date

from src.accounts import rules


def test_luhn_check_digit_matches_known_numbers():
    assert rules.luhn_check_digit("7992739871") == "3"
    assert rules.luhn_valid("79927398713")
    assert not rules.luhn_valid("79927398710")


def test_new_card_numbers_are_valid_and_prefixed():
    numbers = {rules.new_card_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(len(n) == 12 and n.startswith("28") and rules.luhn_valid(n) for n in numbers)


def test_phone_normalization():
    assert rules.normalize_phone("8 (914) 123-45-67") == "+79141234567"
    assert rules.normalize_phone("+7 914 123 45 67") == "+79141234567"
    assert rules.normalize_phone("  ") is None


def test_contact_needs_email_or_phone():
    assert rules.contact_errors(None, None)[0].field == "email"
    assert rules.contact_errors("a@b.ru", None) == []
    assert rules.contact_errors(None, "+79141234567") == []
    assert rules.contact_errors("not-an-email", None)[0].field == "email"


def test_guardian_needed_under_14_on_the_day():
    today = date(2026, 11, 25)
    assert rules.needs_guardian(date(2012, 11, 26), today)  # 13, birthday tomorrow
    assert not rules.needs_guardian(date(2012, 11, 25), today)  # 14 today
    fields = {e.field for e in rules.guardian_errors(date(2015, 1, 1), today, "", False)}
    assert fields == {"guardian_name", "guardian_consent"}
    assert rules.guardian_errors(date(2015, 1, 1), today, "Мама", True) == []


def test_birth_date_in_future_is_refused():
    assert rules.birth_date_errors(date(2030, 1, 1), date(2026, 1, 1))[0].field == "birth_date"


def test_card_login_detection():
    assert rules.looks_like_card("2800 0000 0019")
    assert not rules.looks_like_card("reader@libspace.local")
