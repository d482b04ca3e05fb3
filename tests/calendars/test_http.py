"""Conditional GET rules, without a server."""

from datetime import datetime, timezone

from src.calendars.http import BodyCache, http_date, not_modified, validators

CHANGED = datetime(2026, 11, 25, 10, 0, 30, 999, tzinfo=timezone.utc)
CURRENT = validators(("branch", 1, 7), CHANGED)


def test_etag_is_a_quoted_hash_of_the_fingerprint():
    assert CURRENT.etag.startswith('"') and CURRENT.etag.endswith('"') and len(CURRENT.etag) == 34
    assert validators(("branch", 1, 7), CHANGED).etag == CURRENT.etag
    assert validators(("branch", 1, 8), CHANGED).etag != CURRENT.etag
    assert validators(("branch", 1, 7), CHANGED.replace(microsecond=1)).etag != CURRENT.etag  # a change within the second
    assert CURRENT.last_modified.microsecond == 0


def test_if_none_match():
    assert not_modified(CURRENT.etag, None, CURRENT)
    assert not_modified(f'"other", W/{CURRENT.etag}', None, CURRENT)
    assert not_modified("*", None, CURRENT)
    assert not not_modified('"other"', None, CURRENT)


def test_if_none_match_wins_over_if_modified_since():
    assert not not_modified('"other"', http_date(CURRENT.last_modified), CURRENT)


def test_if_modified_since():
    assert not_modified(None, "Wed, 25 Nov 2026 10:00:30 GMT", CURRENT)
    assert not_modified(None, "Wed, 25 Nov 2026 11:00:00 GMT", CURRENT)
    assert not not_modified(None, "Wed, 25 Nov 2026 10:00:29 GMT", CURRENT)
    assert not not_modified(None, "yesterday", CURRENT)
    assert not not_modified(None, None, CURRENT)


def test_body_cache_drops_the_least_recently_used():
    cache = BodyCache(entries=2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"
    cache.put("c", b"3")
    assert cache.get("b") is None and cache.get("a") == b"1" and cache.get("c") == b"3"
