from datetime import date

import pytest

from src.accounts import service
from src.accounts.rules import luhn_valid
from src.accounts.service import ReaderInput
from src.accounts.tables import Account, ReaderCard
from src.exceptions import Conflict, Invalid, NotAuthenticated, RateLimited
from src.timeutil import today_in


def reader(**overrides) -> ReaderInput:
    values = dict(full_name="Иван Петров", birth_date=date(2000, 5, 17), home_branch="chekhov", password="secret-pass", consent_personal_data=True, email="ivan@example.ru")
    values.update(overrides)
    return ReaderInput(**values)


async def test_register_issues_a_luhn_card_valid_everywhere(demo):
    card = await service.register_reader(reader())
    assert luhn_valid(card.card_number) and card.card_number.startswith("28")
    assert card.home_branch_slug == "chekhov"
    assert card.consent_at is not None and card.guardian_consent_at is None
    principal = await service.authenticate(card.card_number, "secret-pass")
    assert principal.card_number == card.card_number
    assert (await service.authenticate("IVAN@example.ru", "secret-pass")).id == principal.id


async def test_duplicate_email_is_a_conflict_and_writes_nothing(demo):
    await service.register_reader(reader())
    before = await Account.count()
    with pytest.raises(Conflict):
        await service.register_reader(reader(full_name="Другой"))
    assert await Account.count() == before


async def test_under_14_needs_guardian(demo):
    child = date(today_in("Asia/Yakutsk").year - 10, 1, 1)
    with pytest.raises(Invalid) as error:
        await service.register_reader(reader(birth_date=child, email="kid@example.ru"))
    assert {e.field for e in error.value.errors} == {"guardian_name", "guardian_consent"}
    assert await ReaderCard.count().where(ReaderCard.birth_date == child) == 0
    card = await service.register_reader(reader(birth_date=child, email="kid@example.ru", guardian_name="Мама", guardian_consent=True))
    assert card.is_minor and card.guardian_consent_at is not None


async def test_consent_is_required(demo):
    with pytest.raises(Invalid) as error:
        await service.register_reader(reader(consent_personal_data=False))
    assert [e.field for e in error.value.errors] == ["consent_personal_data"]


async def test_unknown_login_and_wrong_password_answer_alike(demo):
    with pytest.raises(NotAuthenticated) as unknown:
        await service.authenticate("nobody@example.ru", "whatever-1")
    with pytest.raises(NotAuthenticated) as wrong:
        await service.authenticate("reader@libspace.local", "whatever-1")
    assert unknown.value.detail == wrong.value.detail


async def test_login_is_rate_limited(demo):
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            await service.authenticate("reader@libspace.local", "wrong-password")
    with pytest.raises(RateLimited) as limited:
        await service.authenticate("reader@libspace.local", "libspace-demo")
    assert int(limited.value.headers["Retry-After"]) > 0


async def test_change_password_bumps_auth_version(demo):
    principal = await service.authenticate("reader@libspace.local", "libspace-demo")
    version = await service.change_password(principal, "libspace-demo", "new-secret-1")
    assert version == principal.auth_version + 1
    with pytest.raises(Invalid):
        await service.change_password(principal, "libspace-demo", "short")
    assert (await service.authenticate("reader@libspace.local", "new-secret-1")).id == principal.id


IMPORT_OK = """card_number,full_name,birth_date,email,phone,home_branch
100200300,Пётр Иванов,1980-01-02,petr@example.ru,,centralnaya
100200301,Мария Ким,1999-12-31,,+7 914 000-00-01,dialog
"""


async def test_import_keeps_old_numbers(demo):
    report = await service.import_readers(IMPORT_OK)
    assert report.written and [card for _, card in report.accepted] == ["100200300", "100200301"]
    found = await service.find_card("100200300")
    assert found.full_name == "Пётр Иванов" and found.home_branch_slug == "centralnaya"


async def test_import_with_a_bad_row_changes_nothing(demo):
    bad = IMPORT_OK + "100200302,Плохая Дата,1990-13-01,bad@example.ru,,nowhere\n"
    before = await ReaderCard.count()
    report = await service.import_readers(bad)
    assert not report.written and report.accepted == []
    line, card, reason = report.rejected[0]
    assert line == 4 and card == "100200302" and "ГГГГ-ММ-ДД" in reason and "nowhere" in reason
    assert await ReaderCard.count() == before
    skipped = await service.import_readers(bad, skip_bad=True)
    assert skipped.written and len(skipped.accepted) == 2
    assert await ReaderCard.count() == before + 2


async def test_import_rejects_duplicates_within_the_file_and_wrong_header(demo):
    duplicate = IMPORT_OK + "100200300,Копия,1980-01-02,,+79140000002,chekhov\n"
    report = await service.import_readers(duplicate)
    assert not report.written and report.rejected[0][0] == 4
    assert (await service.import_readers("a,b\n1,2\n")).rejected[0][0] == 1


async def test_create_staff_needs_a_branch(demo):
    with pytest.raises(Invalid):
        await service.create_user("staff", "new.staff@libspace.local", "long-password")
    account_id = await service.create_user("staff", "new.staff@libspace.local", "long-password", branch_slugs=["dialog", "chekhov"])
    principal = await service.load_principal(account_id)
    assert principal.is_staff and len(principal.branch_ids) == 2
