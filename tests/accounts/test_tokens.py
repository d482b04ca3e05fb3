"""One-time account tokens: signed, hashed at rest, single use, one open token per account, lifetimes."""

import asyncio
from datetime import timedelta

import pytest

from src.accounts import tokens
from src.accounts.tables import Account, AccountToken
from src.exceptions import Gone, Invalid
from src.timeutil import now_utc


async def _account(email: str = "t@example.ru") -> int:
    now = now_utc()
    rows = await Account.insert(Account(role="reader", email=email, full_name="Тест", created_at=now, updated_at=now)).returning(Account.id)
    return rows[0]["id"]


def test_codes_are_typed_forgivingly():
    token = tokens.sign(tokens.DESK, "salt")
    assert len(token) == tokens.CODE_LENGTH and set(token) <= set(tokens.ALPHABET)
    shown = tokens.display(token)
    assert shown.count("-") == 3
    assert tokens.normalize(shown.lower()) == token
    assert tokens.normalize(" " + shown.replace("-", " ") + " ") == token
    assert tokens.normalize("OIL0" + token[4:]) == "0110" + token[4:]
    assert tokens.normalize("too-short") is None
    assert tokens.normalize("U" * tokens.CODE_LENGTH) is None  # not in Crockford's alphabet
    assert len(tokens.sign(tokens.RESET, "salt")) == tokens.LINK_LENGTH


def test_signature_depends_on_purpose_and_salt():
    assert tokens.sign(tokens.RESET, "a") != tokens.sign(tokens.RESET, "b")
    assert tokens.sign(tokens.RESET, "a") != tokens.sign(tokens.ACTIVATION, "a")


async def test_token_is_not_stored_only_its_hash_and_salt(database):
    account = await _account()
    issued = await tokens.issue(account, tokens.RESET)
    row = await AccountToken.select().where(AccountToken.id == issued.id).first()
    assert issued.token not in str(row.values())
    assert row["token_hash"] == tokens.token_hash(issued.token)
    assert issued.path == f"/password/reset/{issued.token}"
    assert issued.expires_at - row["created_at"] == timedelta(hours=1)


async def test_single_use(database):
    account = await _account()
    issued = await tokens.issue(account, tokens.ACTIVATION)
    assert (await tokens.check(issued.token)).account_id == account
    assert (await tokens.consume(issued.token)).account_id == account
    with pytest.raises(Gone) as used:
        await tokens.consume(issued.token)
    assert used.value.errors[0].field == "token" and used.value.extra == {"reason": "used"}
    with pytest.raises(Gone):
        await tokens.check(issued.token)


async def test_expired(database):
    account = await _account()
    issued = await tokens.issue(account, tokens.RESET, now=now_utc() - timedelta(hours=2))
    with pytest.raises(Gone) as expired:
        await tokens.consume(issued.token)
    assert expired.value.extra == {"reason": "expired"}


async def test_unknown_forged_or_wrong_purpose_reveal_nothing(database):
    account = await _account()
    issued = await tokens.issue(account, tokens.RESET)
    with pytest.raises(Invalid) as unknown:
        await tokens.check(tokens.sign(tokens.RESET, "never-issued"))
    with pytest.raises(Invalid) as garbage:
        await tokens.check("../../etc/passwd")
    with pytest.raises(Invalid) as purpose:
        await tokens.check(issued.token, purposes=(tokens.INVITATION,))
    assert unknown.value.detail == garbage.value.detail == purpose.value.detail
    # a row planted with the hash of a token that is not the signature of its salt is refused
    forged = tokens.sign(tokens.RESET, "attacker")
    await AccountToken.update({AccountToken.token_hash: tokens.token_hash(forged)}).where(AccountToken.id == issued.id)
    with pytest.raises(Invalid):
        await tokens.check(forged)


async def test_a_newer_link_replaces_the_older_one(database):
    account = await _account()
    first = await tokens.issue(account, tokens.RESET)
    second = await tokens.issue(account, tokens.RESET)
    with pytest.raises(Gone) as older:
        await tokens.check(first.token)
    assert older.value.extra == {"reason": "superseded"}
    assert (await tokens.check(second.token)).id == second.id
    assert [info.id for info in await tokens.open_tokens(account)] == [second.id]


async def test_emailed_links_leave_a_desk_code_alone_but_a_desk_code_replaces_all(database):
    account = await _account()
    desk = await tokens.issue(account, tokens.DESK)
    emailed = await tokens.issue(account, tokens.RESET)
    await tokens.check(desk.token)
    await tokens.check(emailed.token)
    newer_desk = await tokens.issue(account, tokens.DESK)
    for old in (desk, emailed):
        with pytest.raises(Gone):
            await tokens.check(old.token)
    assert (await tokens.check(tokens.display(newer_desk.token).lower())).purpose == tokens.DESK


async def test_using_one_closes_the_others(database):
    account = await _account()
    desk = await tokens.issue(account, tokens.DESK)
    emailed = await tokens.issue(account, tokens.RESET)
    await tokens.consume(emailed.token)
    with pytest.raises(Gone):
        await tokens.check(desk.token)


async def test_tokens_of_different_accounts_are_independent(database):
    one, two = await _account("one@example.ru"), await _account("two@example.ru")
    a = await tokens.issue(one, tokens.RESET)
    b = await tokens.issue(two, tokens.RESET)
    await tokens.consume(a.token)
    assert (await tokens.check(b.token)).account_id == two


async def test_open_path_signs_the_link_again_while_it_is_usable(database):
    account = await _account()
    issued = await tokens.issue(account, tokens.ACTIVATION)
    assert await tokens.open_path(issued.id) == f"/activate/{issued.token}"
    await tokens.consume(issued.token)
    assert await tokens.open_path(issued.id) is None


async def test_a_rolled_back_use_leaves_the_token_usable(database):
    from piccolo.engine import engine_finder

    from src.db import write_transaction

    account = await _account()
    issued = await tokens.issue(account, tokens.RESET)
    with pytest.raises(RuntimeError):
        async with write_transaction(engine_finder()):
            await tokens.consume(issued.token)
            raise RuntimeError("the password could not be saved")
    assert (await tokens.check(issued.token)).id == issued.id


async def test_concurrent_uses_one_wins(database):
    account = await _account()
    issued = await tokens.issue(account, tokens.DESK)

    async def use():
        try:
            await tokens.consume(issued.token)
            return "ok"
        except Gone:
            return "gone"

    results = await asyncio.gather(*[use() for _ in range(10)])
    assert sorted(results) == ["gone"] * 9 + ["ok"]
