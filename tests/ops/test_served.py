"""A real `libspace serve` with two granian workers and a separate `libspace worker` sharing one metrics folder:
/metrics adds up every process (prometheus-client's multi-process mode), and the log is one JSON object per
line whose request id matches the X-Request-ID header, with the account id and no personal data."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess

import httpx
import pytest

from src.accounts.tables import Account
from tests.conftest import bearer
from tests.ops.metrics_support import scrape, value
from tests.support import running_server, start_libspace

REQUESTS = 20


@pytest.fixture
def metrics_dir(tmp_path):
    return tmp_path / "metrics"


@pytest.fixture
async def served(demo, tmp_path, metrics_dir):
    env = {"LIBSPACE_METRICS_DIR": str(metrics_dir), "LIBSPACE_WORKER": "off", "LIBSPACE_LOG_FORMAT": "json", "LIBSPACE_LOG_LEVEL": "INFO"}
    log_path = tmp_path / "serve.log"
    async with running_server(workers=2, env=env, log_path=log_path, timeout=120) as base_url:
        yield base_url, log_path


def log_lines(path) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object, or this fails


async def test_metrics_add_up_every_server_process_and_the_separate_worker(served, metrics_dir):
    base_url, _log = served
    worker = start_libspace(
        "worker", env={"LIBSPACE_METRICS_DIR": str(metrics_dir), "LIBSPACE_WORKER_POLL_SECONDS": "0.2"}, stderr=subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            answers = await asyncio.gather(*(client.get("/api/v1/branches") for _ in range(REQUESTS)))
            assert all(answer.status_code == 200 for answer in answers)
            deadline = asyncio.get_running_loop().time() + 60
            while True:
                samples = await scrape(client)
                if value(samples, "libspace_job_runs_total", job="send") > 0:
                    break
                assert asyncio.get_running_loop().time() < deadline, "the worker's job runs never reached /metrics"
                await asyncio.sleep(0.3)
            for _ in range(4):  # whichever granian worker answers, the sum is the same
                samples = await scrape(client)
                assert value(samples, "libspace_http_requests_total", method="GET", route="/api/v1/branches", status="200") == REQUESTS
            assert value(samples, "libspace_db_pool_max_connections") > 0
            assert value(samples, "libspace_database_up") == 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    assert {path.name.split("-")[0] for path in metrics_dir.iterdir()} == {"serve", "worker"}


async def test_one_json_line_per_request_with_its_id_and_account_but_no_personal_data(served):
    base_url, log_path = served
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        headers = await bearer(client, "reader@libspace.local")
        me = await client.get("/api/v1/me", headers=headers)
        assert me.status_code == 200
        lost = await client.get("/readers/reader@libspace.local/секрет?email=reader@libspace.local")
        assert lost.status_code == 404
        chosen = await client.get("/api/v1/branches", headers={"X-Request-ID": "nginx-0123456789abcdef"})
        assert chosen.headers["x-request-id"] == "nginx-0123456789abcdef"
        odd = await client.get("/api/v1/branches", headers={"X-Request-ID": "bad id\twith spaces"})
        assert odd.headers["x-request-id"] != "bad id\twith spaces" and len(odd.headers["x-request-id"]) == 32
    reader = await Account.select(Account.id, Account.full_name).where(Account.email == "reader@libspace.local").first()

    deadline = asyncio.get_running_loop().time() + 10
    while True:  # the server writes its line as the answer goes out; give it a moment
        lines = log_lines(log_path)
        by_id = {line.get("request_id"): line for line in lines if line.get("kind") == "request"}
        if all(answer.headers["x-request-id"] in by_id for answer in (me, lost, chosen, odd)):
            break
        assert asyncio.get_running_loop().time() < deadline, f"request lines missing: {lines[-5:]}"
        await asyncio.sleep(0.2)

    line = by_id[me.headers["x-request-id"]]
    assert line["route"] == "/api/v1/me" and line["status"] == 200 and line["method"] == "GET"
    assert line["account_id"] == reader["id"] and line["duration_ms"] >= 0 and line["time"] and line["level"] == "INFO"
    assert by_id[lost.headers["x-request-id"]]["route"] == "(unmatched)"
    assert by_id[chosen.headers["x-request-id"]]["account_id"] is None
    text = log_path.read_text(encoding="utf-8")
    for secret in ("reader@libspace.local", reader["full_name"], "секрет", "libspace-demo"):
        assert secret not in text
