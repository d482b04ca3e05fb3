"""Repeated imports keep the cards in sync: update by card number, add, never delete, a report per row,
--dry-run; replaced and erased numbers are refused."""

from __future__ import annotations

from src.accounts import importer
from src.accounts import service as accounts_service
from src.accounts.tables import Account, ReaderCard
from src.audit.tables import AuditEntry
from tests.accounts.helpers import imported, sent
from tests.support import libspace

HEADER = "card_number,full_name,birth_date,email,phone,home_branch\n"
FIRST = HEADER + "100200300,Пётр Иванов,1980-01-02,petr@example.ru,,centralnaya\n100200301,Мария Ким,1999-12-31,,+79140000001,dialog\n"


async def test_a_newer_export_updates_adds_and_reports_each_row(demo):
    assert [row.status for row in (await importer.import_readers(FIRST)).rows] == ["added", "added"]
    newer = HEADER + (
        "100200300,Пётр Иванов,1980-02-01,petr.new@example.ru,+79140000009,chekhov\n"  # birth date and contacts corrected, moved
        "100200301,Мария Ким,1999-12-31,,,dialog\n"  # empty cells keep what the card has: unchanged
        "100200302,Новый Читатель,2001-05-05,new@example.ru,,dialog\n"
        "100200303,Без Даты,,x@example.ru,,dialog\n"
    )
    before = await ReaderCard.count()
    dry = await importer.import_readers(newer, skip_bad=True, dry_run=True)
    assert not dry.written and await ReaderCard.count() == before
    assert (await accounts_service.find_card("100200300")).email == "petr@example.ru"
    report = await importer.import_readers(newer, skip_bad=True)
    assert report.written
    assert [(row.line, row.status) for row in report.rows] == [(2, "updated"), (3, "unchanged"), (4, "added"), (5, "rejected")]
    assert sorted(report.rows[0].fields) == ["birth_date", "email", "home_branch", "phone"]
    assert [(row.status, row.fields) for row in dry.rows] == [(row.status, row.fields) for row in report.rows]
    assert "ГГГГ-ММ-ДД" in report.rows[3].reason or "YYYY-MM-DD" in report.rows[3].reason
    petr = await accounts_service.find_card("100200300")
    assert (petr.email, petr.phone, petr.home_branch_slug, petr.birth_date.isoformat()) == ("petr.new@example.ru", "+79140000009", "chekhov", "1980-02-01")
    assert await ReaderCard.count() == before + 1  # nothing deleted, one added
    entry = await AuditEntry.select().where((AuditEntry.action == "import_update") & (AuditEntry.object_id == petr.account_id)).first()
    assert "petr.new@example.ru" in entry["changes"]
    again = await importer.import_readers(newer.replace("100200303,Без Даты,,x@example.ru,,dialog\n", ""))
    assert [row.status for row in again.rows] == ["unchanged", "unchanged", "unchanged"]


async def test_an_e_mail_of_another_account_is_refused_on_update(demo):
    await importer.import_readers(FIRST)
    clash = HEADER + "100200300,Пётр Иванов,1980-01-02,reader@libspace.local,,centralnaya\n"
    report = await importer.import_readers(clash)
    assert not report.written and report.rows[0].status == "rejected" and report.rows[0].reason


async def test_replaced_and_erased_numbers_do_not_come_back(client, demo):
    from src.accounts import desk
    from src.privacy import erase
    from tests.events.conftest import principal

    staff = await principal("staff.chekhov@libspace.local")
    await imported(card="100200300")
    new_card = (await desk.replace_card(staff, "100200300", "утеряна")).card_number
    again = await importer.import_readers(HEADER + "100200300,Пётр Иванов,1980-01-02,petr@example.ru,,centralnaya\n")
    assert again.rows[0].status == "rejected" and new_card in again.rows[0].reason
    await erase.erase_by_staff(staff, new_card, "заявление № 3")
    for number in ("100200300", new_card):
        back = await importer.import_readers(HEADER + f"{number},Пётр Иванов,1980-01-02,petr@example.ru,,centralnaya\n")
        assert back.rows[0].status == "rejected", number
    assert not await Account.exists().where(Account.email == "petr@example.ru")


async def test_the_command_prints_the_report_and_dry_run_writes_nothing(demo, tmp_path):
    csv_file = tmp_path / "readers.csv"
    csv_file.write_text(FIRST, encoding="utf-8")
    dry = libspace("import-readers", "--dry-run", str(csv_file))
    assert dry.returncode == 0, dry.stderr
    assert "added line 2: 100200300" in dry.stdout and "2 added, 0 updated, 0 unchanged, 0 rejected (dry run" in dry.stdout
    assert await ReaderCard.count().where(ReaderCard.card_number == "100200300") == 0


async def test_cards_may_swap_their_contacts_and_each_reader_is_told(demo):
    """The state after the whole file counts: two cards swapping their e-mails and phones is fine (no unique
    clash on the way); an address stays taken when the row that would free it is refused."""
    from src.accounts import messages

    two = HEADER + "100200300,Пётр Иванов,1980-01-02,a@example.ru,+79140000001,centralnaya\n100200301,Мария Ким,1999-12-31,b@example.ru,+79140000002,dialog\n"
    assert (await importer.import_readers(two)).written
    swapped = HEADER + "100200300,Пётр Иванов,1980-01-02,b@example.ru,+79140000002,centralnaya\n100200301,Мария Ким,1999-12-31,a@example.ru,+79140000001,dialog\n"
    report = await importer.import_readers(swapped)
    assert report.written and [(row.status, sorted(row.fields)) for row in report.rows] == [("updated", ["email", "phone"])] * 2
    petr, maria = await accounts_service.find_card("100200300"), await accounts_service.find_card("100200301")
    assert (petr.email, petr.phone, maria.email, maria.phone) == ("b@example.ru", "+79140000002", "a@example.ru", "+79140000001")
    told = await sent(messages.DETAILS_IMPORTED)
    assert sorted(row["recipient"] for row in told) == sorted([petr.account_id, maria.account_id])
    assert sorted(row["email"] for row in await sent(messages.EMAIL_CHANGED)) == ["a@example.ru", "b@example.ru"]  # the old addresses
    blocked = HEADER + "100200300,Пётр Иванов,,c@example.ru,,centralnaya\n100200301,Мария Ким,1999-12-31,b@example.ru,,dialog\n"
    refused = await importer.import_readers(blocked, skip_bad=True)
    assert [row.status for row in refused.rows] == ["rejected", "rejected"] and "e-mail" in refused.rows[1].reason
    assert (await accounts_service.find_card("100200301")).email == "a@example.ru"
