"""Log lines: JSON for machines, text in a terminal, tracebacks with the request id, one line per job run."""

from __future__ import annotations

import io
import json
import logging

import pytest

from src.ops import logs
from src.ops.settings import SettingError, load_ops_settings
from tests.support import libspace


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def captured():
    """Our JSON formatter and request filter on a second handler of the root logger, for one test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.json_formatter())
    handler.addFilter(logs.RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def settings_with(monkeypatch, **values: str):
    for name, value in values.items():
        monkeypatch.setenv(f"LIBSPACE_{name}", value)
    return load_ops_settings()


def test_text_in_a_terminal_json_otherwise_and_the_settings_win(monkeypatch):
    auto = settings_with(monkeypatch, LOG_FORMAT="auto")
    assert logs.uses_json(auto, io.StringIO()) and not logs.uses_json(auto, Terminal())
    assert logs.uses_json(settings_with(monkeypatch, LOG_FORMAT="json"), Terminal())
    assert not logs.uses_json(settings_with(monkeypatch, LOG_FORMAT="text"), io.StringIO())
    assert settings_with(monkeypatch, LOG_LEVEL="warning").log_level == "WARNING"
    with pytest.raises(SettingError, match="LIBSPACE_LOG_LEVEL"):
        settings_with(monkeypatch, LOG_LEVEL="loud")
    with pytest.raises(SettingError, match="LIBSPACE_METRICS_ALLOW"):
        settings_with(monkeypatch, LOG_LEVEL="INFO", METRICS_ALLOW="127.0.0.1, the-office")


def test_the_text_format_names_the_request():
    record = logging.LogRecord("libspace.request", logging.INFO, __file__, 1, "GET /healthz 200 1.0 ms", (), None)
    record.request_id = "abc123"
    assert logs.TextFormatter().format(record).endswith("libspace.request: GET /healthz 200 1.0 ms [req abc123]")


async def test_an_error_is_logged_with_its_traceback_and_request_id(client, captured, monkeypatch):
    from src.rooms import service as rooms_service

    async def broken():
        raise RuntimeError("the branches table is on fire")

    monkeypatch.setattr(rooms_service, "list_branches", broken)
    from src import cache

    cache.clear_local()
    answer = await client.get("/api/v1/branches", headers={"Accept-Language": "en"})
    assert answer.status_code == 500 and "on fire" not in answer.text
    request_id = answer.headers["x-request-id"]
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    error = next(line for line in lines if line.get("exc_info"))
    assert error["level"] == "ERROR" and error["request_id"] == request_id
    assert "Traceback" in error["exc_info"] and "the branches table is on fire" in error["exc_info"]
    request = next(line for line in lines if line.get("kind") == "request")
    assert request["request_id"] == request_id and request["status"] == 500 and request["level"] == "WARNING"


async def test_each_job_run_writes_one_json_line(database):
    done = libspace("worker", "--once", env={"LIBSPACE_LOG_FORMAT": "json", "LIBSPACE_LOG_LEVEL": "DEBUG"})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    jobs = {line["job"]: line for line in lines if line.get("kind") == "job"}
    assert set(jobs) >= {"reminders", "send"}
    assert jobs["send"]["outcome"] == "ok" and jobs["send"]["sent"] == 0 and jobs["send"]["duration_ms"] >= 0
