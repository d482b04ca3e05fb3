"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

Hashing and checking take a few hundred milliseconds of CPU by design: the async ``hash_password`` and
``verify_password`` run them on a small pool of their own, so the event loop keeps serving everyone else and a
burst of log-ins cannot take the threads that DNS look-ups and file reads use. The ``*_sync`` forms are for the
command line and the demo loader.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this keeps an unknown login as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("libspace-timing-equaliser")
# argon2 releases the GIL; two threads use both cores of a small server, the rest of the requests queue here.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


def verify_password_sync(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password_sync, password)


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_pool, verify_password_sync, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
