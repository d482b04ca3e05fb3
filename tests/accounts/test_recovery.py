"""Activation of imported cards and password reset, at the service layer: what matches, what is told, what ends."""

import pytest

from src.accounts import consent, messages, recovery, service, tokens
from src.accounts.tables import Account, ApiToken, ReaderCard
from src.exceptions import Gone, Invalid, RateLimited
from tests.accounts.helpers import imported, link_in, next_year, sent, token_of, years_ago


async def _activate(card="100200300", birth=None, contact="petr@example.ru", client="10.0.0.1"):
    request = await recovery.prepare_activation(card, birth or years_ago(40), contact, client)
    await recovery.send_activation(request)


async def test_activation_online_sends_a_link_to_the_email_on_file(demo):
    birth = years_ago(40)
    account = await imported(birth=birth)
    await _activate(birth=birth)
    (row,) = await sent(messages.ACTIVATION)
    assert row["recipient"] == account and row["payload"]["card"] == "100200300"
    assert "token" not in str(row["payload"]).replace("token_id", "")  # only the token's id is queued
    path = await link_in(row)
    assert path.startswith("/activate/")
    view = await recovery.view_token(token_of(path))
    assert view.activating and view.needs_consent and view.card_number == "100200300"
    principal = await recovery.set_password(token_of(path), "a-new-password", consent_given=True)
    assert principal.id == account and principal.card_number == "100200300"
    assert (await service.authenticate("100200300", "a-new-password")).id == account
    card = await ReaderCard.select(ReaderCard.consent_version).where(ReaderCard.account == account).first()
    assert card["consent_version"] == consent.current().version
    assert [row["kind"] for row in await sent() if row["recipient"] == account][-1] == messages.WELCOME


async def test_the_phone_on_file_also_proves_the_card(demo):
    birth = years_ago(40)
    await imported(birth=birth)
    await _activate(birth=birth, contact="8 914 000-00-01")
    assert len(await sent(messages.ACTIVATION)) == 1


@pytest.mark.parametrize("change", ["birth", "contact", "card"])
async def test_a_mismatch_sends_nothing_and_answers_alike(demo, change):
    birth = years_ago(40)
    await imported(birth=birth)
    values = {"card": "100200300", "birth": birth, "contact": "petr@example.ru"}
    values[{"birth": "birth", "contact": "contact", "card": "card"}[change]] = {
        "birth": years_ago(41), "contact": "someone@example.ru", "card": "999999999"
    }[change]
    await _activate(**values)  # no exception: the answer is the same 202
    assert await sent() == []


async def test_malformed_activation_input_is_422(demo):
    with pytest.raises(Invalid) as error:
        await recovery.prepare_activation("№1", next_year(), "not a contact")
    assert {e.field for e in error.value.errors} == {"card_number", "birth_date", "contact"}


async def test_activation_is_throttled_per_card_and_per_address(demo):
    for attempt in range(5):
        await recovery.prepare_activation("100200300", years_ago(30 + attempt), "x@example.ru", f"10.0.0.{attempt}")
    with pytest.raises(RateLimited):
        await recovery.prepare_activation("100200300", years_ago(40), "petr@example.ru", "10.0.0.99")
    for attempt in range(20):  # twenty cards from one address: its limit (4 × 5)
        await recovery.prepare_activation(f"5550000{attempt:02d}", years_ago(40), "x@example.ru", "10.9.9.9")
    with pytest.raises(RateLimited):
        await recovery.prepare_activation("555000099", years_ago(40), "x@example.ru", "10.9.9.9")


async def test_an_active_card_gets_a_reset_link_instead(demo):
    birth = years_ago(40)
    account = await imported(birth=birth)
    await recovery.set_password((await tokens.issue(account, tokens.DESK)).token, "first-password", consent_given=True)
    await _activate(birth=birth)
    (row,) = await sent(messages.ALREADY_ACTIVE)
    assert (await link_in(row)).startswith("/password/reset/")


async def test_reset_by_email_or_card_and_unknown_logins_alike(demo):
    account = await imported()
    await recovery.send_reset(await recovery.prepare_reset("PETR@example.ru"))
    await recovery.send_reset(await recovery.prepare_reset("1002 0030 0"))
    await recovery.send_reset(await recovery.prepare_reset("nobody@example.ru"))
    rows = await sent(messages.PASSWORD_RESET)
    assert [row["recipient"] for row in rows] == [account, account]
    first, second = rows
    assert await tokens.open_path(first["payload"]["token_id"]) is None  # the second request replaced the first link
    assert (await link_in(second)).startswith("/password/reset/")
    with pytest.raises(Invalid):
        await recovery.prepare_reset("no such thing!")


async def test_links_per_account_are_capped_per_hour(demo):
    account = await imported()
    for attempt in range(5):
        await recovery.send_reset(await recovery.prepare_reset("petr@example.ru", f"10.0.1.{attempt}"))
    assert len([row for row in await sent(messages.PASSWORD_RESET) if row["recipient"] == account]) == recovery.MAILS_PER_HOUR


async def test_reset_ends_every_other_session_and_token(demo):
    principal = await service.authenticate("reader@libspace.local", "libspace-demo")
    api_token, _expires = await service.issue_token(principal)
    desk = await tokens.issue(principal.id, tokens.DESK)
    await recovery.send_reset(await recovery.prepare_reset("reader@libspace.local"))
    (row,) = await sent(messages.PASSWORD_RESET)
    token = token_of(await link_in(row))
    after = await recovery.set_password(token, "brand-new-password")
    assert after.auth_version == principal.auth_version + 1  # cookie sessions carry the old version: ended
    assert await service.principal_for_token(api_token) is None
    assert await ApiToken.count().where(ApiToken.account == principal.id) == 0
    with pytest.raises(Gone):
        await tokens.check(desk.token)
    with pytest.raises(Gone) as used:
        await recovery.set_password(token, "another-password")
    assert used.value.extra["reason"] == "used"
    notices = [row["kind"] for row in await sent() if row["recipient"] == principal.id]
    assert notices[-1] == messages.PASSWORD_CHANGED


async def test_a_weak_password_keeps_the_token(demo):
    account = await imported()
    issued = await tokens.issue(account, tokens.DESK)
    with pytest.raises(Invalid) as weak:
        await recovery.set_password(issued.token, "short", consent_given=True)
    assert [e.field for e in weak.value.errors] == ["password"]
    with pytest.raises(Invalid) as no_consent:
        await recovery.set_password(issued.token, "long-enough-password")
    assert [e.field for e in no_consent.value.errors] == ["consent_personal_data"]
    await recovery.set_password(tokens.display(issued.token).lower(), "long-enough-password", consent_given=True)
    assert (await Account.select(Account.password_hash).where(Account.id == account).first())["password_hash"]


async def test_changing_the_password_closes_open_links_and_tells_the_reader(demo):
    principal = await service.authenticate("reader@libspace.local", "libspace-demo")
    issued = await tokens.issue(principal.id, tokens.RESET)
    await service.change_password(principal, "libspace-demo", "changed-password")
    with pytest.raises(Gone):
        await tokens.check(issued.token)
    assert [row["kind"] for row in await sent() if row["recipient"] == principal.id][-1] == messages.PASSWORD_CHANGED


async def test_wrong_tokens_are_throttled_per_address(demo):
    for _ in range(20):
        with pytest.raises(Invalid):
            await recovery.view_token("0" * 32, client="10.7.7.7")
    with pytest.raises(RateLimited):
        await recovery.view_token("0" * 32, client="10.7.7.7")
