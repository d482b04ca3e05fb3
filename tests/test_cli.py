"""The `libspace` command, run as a user runs it (a subprocess on the test database)."""

from tests.support import libspace


async def test_demo_is_idempotent_and_if_empty_skips(database):
    first = libspace("demo", "--if-empty")
    assert first.returncode == 0 and "10" in first.stdout
    again = libspace("demo", "--if-empty")
    assert again.returncode == 0 and "nothing loaded" in again.stdout
    assert libspace("demo").returncode == 0
    from src.accounts.tables import Account
    from src.branches.tables import Branch

    assert await Branch.count() == 10
    assert await Account.count().where(Account.email == "admin@libspace.local") == 1


async def test_create_user_reads_password_from_stdin(demo):
    made = libspace("create-user", "--role", "staff", "--email", "Olga@Example.ru", "--branch", "dialog", "--branch", "chekhov", "--name", "Ольга", "--password-stdin", stdin="olga-secret-1\n")
    assert made.returncode == 0, made.stderr
    from src.accounts import service

    principal = await service.authenticate("olga@example.ru", "olga-secret-1")
    assert principal.is_staff and len(principal.branch_ids) == 2
    bad = libspace("create-user", "--role", "staff", "--email", "x@example.ru", "--branch", "nowhere", "--password-stdin", stdin="long-enough-1\n")
    assert bad.returncode == 2 and "nowhere" in bad.stderr


async def test_import_readers_reports_each_row_and_is_all_or_nothing(demo, tmp_path):
    csv_file = tmp_path / "readers.csv"
    csv_file.write_text(
        "card_number,full_name,birth_date,email,phone,home_branch\n"
        "555000111,Иван Старый,1970-03-04,ivan.old@example.ru,,dialog\n"
        "555000112,Без Даты,,,+79140001122,dialog\n",
        encoding="utf-8",
    )
    refused = libspace("import-readers", str(csv_file))
    assert refused.returncode == 1
    assert "added line 2" in refused.stdout and "rejected line 3" in refused.stdout
    assert "nothing was imported" in refused.stderr
    from src.accounts.tables import ReaderCard

    assert await ReaderCard.count().where(ReaderCard.card_number == "555000111") == 0
    partial = libspace("import-readers", "--skip-bad", str(csv_file))
    assert partial.returncode == 0 and "added line 2: 555000111" in partial.stdout and "1 added, 0 updated, 0 unchanged, 1 rejected" in partial.stdout
    assert await ReaderCard.count().where(ReaderCard.card_number == "555000111") == 1
