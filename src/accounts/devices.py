"""Log-ins from a new device: the account's owner is told (when, which browser and system), so a stranger's
log-in does not go unnoticed. The first log-in of an account tells nothing (there is nothing to compare with).

A device is the browser and system the User-Agent names, without version numbers (an update is no new
device); only a SHA-256 of it with the account is kept (``LoginDevice``), nothing of the address.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from piccolo.engine import engine_finder

from src.accounts import messages
from src.accounts.tables import LoginDevice
from src.config import get_settings
from src.db import write_transaction
from src.notifications import service as notifications

VERSIONS = re.compile(r"[\d._]+")
BROWSERS = (("YaBrowser", "Yandex Browser"), ("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"), ("Chrome", "Chrome"), ("Safari", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))


def describe(user_agent: str) -> str:
    """"Firefox, Android": the browser and the system a User-Agent names; "" when neither is known (pure)."""
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    system = next((name for token, name in SYSTEMS if token in user_agent), "")
    return ", ".join(part for part in (browser, system) if part)


def fingerprint(account_id: int, user_agent: str) -> str:
    return hashlib.sha256(f"{account_id}:{VERSIONS.sub('', user_agent.strip())[:500]}".encode()).hexdigest()


async def note_login(account_id: int, user_agent: str, now: datetime) -> bool:
    """Remember the device; tell the owner when it is new and not their first. Returns whether they were told."""
    async with write_transaction(engine_finder()):
        known = await LoginDevice.exists().where(LoginDevice.account == account_id)
        added = await LoginDevice.insert(LoginDevice(account=account_id, fingerprint=fingerprint(account_id, user_agent), first_seen_at=now)).on_conflict(
            target=LoginDevice.fingerprint, action="DO NOTHING"
        ).returning(LoginDevice.id)
        if not (added and known):
            return False
        await notifications.enqueue(
            messages.NEW_LOGIN, [account_id], messages.SUBJECTS[messages.NEW_LOGIN],
            {"device": describe(user_agent), "at": now.isoformat(), "timezone": get_settings().timezone, "path": "/me/password"},
            cause=str(added[0]["id"]),
        )
    return True
