"""Reading /metrics the way Prometheus does: with prometheus-client's own text parser."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample as ``{(name, frozenset(labels.items())): value}``; the parser raises on a malformed page."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient, **kwargs) -> dict[tuple[str, frozenset], float]:
    answer = await client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(answer.text)
