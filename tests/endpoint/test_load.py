"""A bounded load test of ``medkg serve``: K clients × M queries, and a runaway query among them."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.endpoint.server import SparqlServer
from graph_builder.kg.build import build_example
from graph_builder.sparql.queries import get_query, query_names
from graph_builder.sparql.runner import run_query, run_sparql

pytestmark = [pytest.mark.slow, pytest.mark.server]

CLIENTS = 8  # K
QUERIES = 40  # M, per client
TIMEOUT = 2.0
Request = tuple[str, str, bytes | None, int]  # method, path, body, rows expected
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:medkg:none>)* ?b . ?c (!<urn:medkg:none>)* ?d }"


@dataclass
class Tally:
    """What the clients saw: latencies of good answers, and every error."""

    latencies: list[float] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    path = tmp_path_factory.mktemp("load") / "store"
    store = ox.Store(str(path))
    store.bulk_extend(build_example())
    store.flush()
    del store
    with SparqlServer(Path(path), port=0, timeout=TIMEOUT, workers=3, quiet=True) as running:
        yield running


def requests() -> list[Request]:
    """A mix of named queries by name (GET) and SPARQL text (POST), with the row count each must give."""
    seed = build_example()
    mix: list[Request] = []
    for name in query_names(include_qa=True):
        if get_query(name).kind == "construct":  # a derived view: a graph, asked for in RDF, not rows
            continue
        mix.append(("GET", f"/queries/{name}", None, len(run_query(name, seed))))
    text = "SELECT ?claim ?quote WHERE { ?claim a medkg:Assertion ; medkg:quote ?quote }"
    count = len(run_sparql(text, seed))
    mix.append(("POST", "/sparql", urllib.parse.urlencode({"query": text}).encode(), count))
    return mix


def client(server: SparqlServer, mix: list[Request], offset: int, tally: Tally) -> None:
    """One client on one keep-alive connection, sending M queries in turn."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    headers = {
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for i in range(QUERIES):
        method, path, body, rows = mix[(offset + i) % len(mix)]
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            got = len(json.loads(data)["results"]["bindings"]) if response.status == 200 else -1
            if got != rows:
                raise ValueError(f"HTTP {response.status}, {got} rows instead of {rows}: {data[:200]!r}")
        except (OSError, ValueError, http.client.HTTPException) as error:
            with tally.lock:
                tally.errors.append(f"{method} {path}: {error}")
            connection.close()
            connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
            continue
        finished = time.perf_counter()
        with tally.lock:
            tally.latencies.append(finished - started)
            tally.finished_at.append(finished)
    connection.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def test_load_with_a_runaway_query(server: SparqlServer, capsys: pytest.CaptureFixture[str]) -> None:
    mix = requests()
    tally = Tally()
    runaway: dict[str, float | int | bytes] = {}

    def run_away() -> None:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        runaway["start"] = time.perf_counter()
        connection.request("POST", "/sparql", body=urllib.parse.urlencode({"query": RUNAWAY}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        response = connection.getresponse()
        runaway.update(status=response.status, body=response.read(), end=time.perf_counter())
        connection.close()

    threads = [threading.Thread(target=client, args=(server, mix, k * 3, tally)) for k in range(CLIENTS)]
    started = time.perf_counter()
    cutter = threading.Thread(target=run_away)
    cutter.start()
    for thread in threads:
        thread.start()
    for thread in [*threads, cutter]:
        thread.join(60)
    wall = time.perf_counter() - started

    assert not any(thread.is_alive() for thread in [*threads, cutter]), "a client hung"
    assert tally.errors == []
    assert len(tally.latencies) == CLIENTS * QUERIES  # zero lost responses
    assert runaway["status"] == 503 and b"per-query timeout" in runaway["body"]  # type: ignore[operator]
    held = float(runaway["end"]) - float(runaway["start"])
    assert TIMEOUT - 0.1 < held < TIMEOUT + 3
    window = (float(runaway["start"]), float(runaway["end"]))
    served_meanwhile = sum(1 for t in tally.finished_at if window[0] < t < window[1])
    assert served_meanwhile > 0, "no other client was served while the runaway query ran"
    assert wall < 60

    p50, p99 = percentile(tally.latencies, 50), percentile(tally.latencies, 99)
    with capsys.disabled():
        print(
            f"\nmedkg serve load: {CLIENTS} clients x {QUERIES} queries = {len(tally.latencies)} answers "
            f"in {wall:.2f} s: {len(tally.latencies) / wall:.0f} queries/s, p50 {p50 * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, mean {statistics.fmean(tally.latencies) * 1000:.1f} ms, 0 errors; "
            f"runaway cut after {held:.2f} s (HTTP 503) while {served_meanwhile} other answers were served"
        )
