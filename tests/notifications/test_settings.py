"""Pure pieces of sending: the SMTP address, Message-IDs, plausible addresses."""

import pytest

from src.notifications import rules
from src.notifications.settings import parse_smtp_url


def test_smtp_urls():
    target, sender = parse_smtp_url("smtp://mail.example.org")
    assert (target.host, target.port, target.security, target.user, sender) == ("mail.example.org", 25, "plain", "", "")
    target, sender = parse_smtp_url("smtp+starttls://user%40x:p%3Ass@mail.example.org:2525?from=noreply@lib.example")
    assert (target.port, target.security, target.user, target.password, sender) == (2525, "starttls", "user@x", "p:ss", "noreply@lib.example")
    assert parse_smtp_url("smtps://mail.example.org")[0].port == 465
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.org")


def test_message_id_is_a_function_of_the_row():
    first = rules.message_id("reminder:event-1:5", 42, "lib.example")
    assert first == rules.message_id("reminder:event-1:5", 42, "lib.example")
    assert first != rules.message_id("reminder:event-1:6", 43, "lib.example")
    assert first.startswith("<") and first.endswith(".42@lib.example>")


@pytest.mark.parametrize("address, ok", [("anna@example.org", True), ("anna@localhost", False), ("not an address", False), ("", False), (None, False), ("a@b@c.org", False)])
def test_plausible_addresses(address, ok):
    assert rules.plausible_address(address) is ok
