"""The benchmarks' smoke test: on a 1k-claim synthetic corpus, medkg, raw pyoxigraph and rdflib agree.

Correctness only, never speed (``make bench`` measures speed): the generated files pass the annotation
checks, generation is reproducible, every named query gives the same rows from all three, and the
focused projections behind the ``chains`` and ``viz`` benchmarks equal the whole-store ones.
"""

from __future__ import annotations

import functools
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib

from benchmarks.corpus import CorpusInfo, generate_corpus
from benchmarks.measure import Timeout, time_call
from benchmarks.tasks import (
    chain_entities,
    corpus_subjects,
    neighbourhood,
    query_tasks,
    raw_rows,
    rdflib_bindings,
    rdflib_rows,
    write_triples,
)
from graph_builder.analysis.chains import find_chains, format_chains
from graph_builder.analysis.network import to_networkx
from graph_builder.cli import main
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import EXAMPLE_CORPUS
from graph_builder.ingest.annotations import corpus_problems, read_annotation
from graph_builder.kg.build import build_from_files
from graph_builder.kg.export import sorted_quads
from graph_builder.sparql.queries import get_query
from graph_builder.sparql.runner import bind_parameters, run_query
from graph_builder.store.bulk import build_corpus_store
from graph_builder.store.corpus import annotation_files, open_store
from graph_builder.viz.view import select_view
from graph_builder.viz.visualize import to_html

pytestmark = pytest.mark.slow

SIZE = 1_000
#: rdflib needs minutes for some queries even at this size (causal-chains' property path); such a
#: comparison is made on the seed graph instead, rather than letting the smoke test run for ten minutes.
RDFLIB_TIMEOUT_S = 10.0
_NUMERIC = ("integer", "decimal", "double", "float", "int", "long")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusInfo:
    return generate_corpus(SIZE, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def store_dir(corpus: CorpusInfo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("store") / "store"
    build_corpus_store([Path(corpus.path) / "annotations"], target, workers=2)  # files read in two processes
    return target


@pytest.fixture(scope="module")
def store(store_dir: Path) -> ox.Store:
    return open_store(store_dir, read_only=True)


def test_a_build_in_worker_processes_equals_one_in_process(
    corpus: CorpusInfo, store: ox.Store, tmp_path: Path
) -> None:
    files, quads = build_corpus_store([Path(corpus.path) / "annotations"], tmp_path / "serial", workers=1)
    serial = open_store(tmp_path / "serial", read_only=True)
    assert files == corpus.articles > 4
    assert len(serial) == len(store) > quads / 2
    assert sorted_quads(serial) == sorted_quads(store)  # blank nodes of the ontology relabelled alike


@pytest.fixture(scope="module")
def rdflib_graph(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> rdflib.Graph:
    triples = tmp_path_factory.mktemp("nt") / "graph.nt"
    write_triples(store, triples)
    return rdflib.Graph().parse(str(triples), format="nt")


def _value(term: Any) -> Any:
    """A comparable value of an RDF term from either library: numbers by value, blank nodes as one."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode | rdflib.BNode):
        return ("bnode",)
    if isinstance(term, ox.NamedNode | rdflib.URIRef):
        return ("iri", str(term.value if isinstance(term, ox.NamedNode) else term))
    lexical = term.value if isinstance(term, ox.Literal) else str(term)
    datatype = str(term.datatype.value if isinstance(term, ox.Literal) else (term.datatype or ""))
    if datatype.endswith(_NUMERIC):
        try:
            return ("number", Decimal(lexical))
        except InvalidOperation:
            pass
    if datatype.endswith("boolean"):
        return ("boolean", lexical in ("true", "1"))
    return ("literal", lexical, term.language)


def _multiset(rows: Any) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(_value(t) for t in row) for row in rows)


def test_generated_files_pass_the_annotation_checks(corpus: CorpusInfo) -> None:
    files = corpus.annotation_files()
    assert 25 <= len(files) <= 50  # 20 to 40 claims an article
    annotations, problems = [], []
    for path in files:
        ann, found = read_annotation(path)
        problems += found
        annotations.append(ann)
    assert problems == []
    assert corpus_problems([a for a in annotations if a is not None]) == []
    assert sum(len(a.claims) for a in annotations if a is not None) == SIZE
    assert corpus.chains > 0 and corpus.hub.degree > 3 * corpus.mid.degree > 0


def test_generation_is_reproducible(tmp_path: Path) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    generate_corpus(300, tmp_path / "a", seed=7)
    generate_corpus(300, tmp_path / "b", seed=7, workers=2)
    generate_corpus(300, tmp_path / "c", seed=8)
    first = {k: v for k, v in files(tmp_path / "a").items() if k != "corpus.json"}
    assert first == {k: v for k, v in files(tmp_path / "b").items() if k != "corpus.json"}
    assert first != {k: v for k, v in files(tmp_path / "c").items() if k != "corpus.json"}


@pytest.mark.parametrize("task", [t.task for t in query_tasks()])
def test_medkg_pyoxigraph_and_rdflib_return_the_same_rows(
    task: str, corpus: CorpusInfo, store: ox.Store, rdflib_graph: rdflib.Graph, tmp_path: Path
) -> None:
    [t] = [t for t in query_tasks(corpus_subjects(corpus)) if t.task == task]
    query = get_query(t.query)
    medkg = run_query(t.query, store, t.params)
    raw = raw_rows(store, query.text, bind_parameters(query, t.params, store))
    assert list(medkg.rows) == raw  # the same engine and text: the same rows in the same order
    # Regression: query:claim, claim-cues, same-proposition, source and source-claims named the seed
    # article's claim and source, which a synthetic corpus does not have, and causal-chains@mid a symptom,
    # which starts no causal claim: 0 rows, a task that measured nothing.
    assert len(medkg) > 0, f"{task} {t.params}: no rows"
    bindings = rdflib_bindings(query, t.params, rdflib_graph)
    try:
        _, rows = time_call(
            functools.partial(rdflib_rows, rdflib_graph, query.text, bindings), RDFLIB_TIMEOUT_S
        )
    except Timeout:
        # rdflib cannot answer this query on 1k claims in reasonable time (causal-chains' property path
        # takes minutes); compare the engines on the example corpus instead, where it answers in seconds.
        _compare_on_the_seed(t.query, tmp_path)
        return
    assert _multiset(medkg.rows) == _multiset(rows)


def _compare_on_the_seed(name: str, tmp_path: Path) -> None:
    # The example corpus: the seed and the articles written for medkg, so that the queries comparing
    # sources (agreement, conflicts) have rows too.
    seed = build_from_files(annotation_files([EXAMPLE_CORPUS]))
    triples = tmp_path / "seed.nt"
    write_triples(seed, triples)
    graph = rdflib.Graph().parse(str(triples), format="nt")
    query = get_query(name)
    medkg = run_query(query, seed)
    assert len(medkg) > 0
    bindings = rdflib_bindings(query, {}, graph)
    _, rows = time_call(functools.partial(rdflib_rows, graph, query.text, bindings), 120)
    assert _multiset(medkg.rows) == _multiset(rows)


def test_focused_chains_equal_whole_store_chains(corpus: CorpusInfo, store: ox.Store) -> None:
    start, end = ns.ENTITY + corpus.chain_start.id, ns.ENTITY + corpus.chain_end.id
    whole = find_chains(to_networkx(store), start, end)
    focused = find_chains(to_networkx(store, entities=chain_entities(store, start, end)), start, end)
    assert [c.to_dict() for c in focused] == [c.to_dict() for c in whole]
    assert any(c.stated for c in whole)


def test_focused_projection_holds_the_neighbourhood(corpus: CorpusInfo, store: ox.Store) -> None:
    centre = ns.ENTITY + corpus.mid.id
    nodes = neighbourhood(store, centre)
    whole = to_networkx(store).subgraph(nodes)
    focused = to_networkx(store, entities=nodes)
    assert set(focused.nodes) == set(whole.nodes) == nodes
    assert dict(focused.nodes(data=True)) == dict(whole.nodes(data=True))  # claims counted store-wide
    assert {(u, v, k): d for u, v, k, d in focused.edges(keys=True, data=True)} == {
        (u, v, k): d for u, v, k, d in whole.edges(keys=True, data=True)
    }


def test_cli_viz_focus_reads_the_neighbourhood_and_draws_the_same_page(
    corpus: CorpusInfo, store: ox.Store, store_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "view.html"
    args = ["viz", "--graph", str(store_dir), "--focus", corpus.mid.label, "--depth", "2", "--out", str(out)]
    assert main(args) == 0
    view, caption = select_view(to_networkx(store), focus=corpus.mid.label, depth=2)
    assert view.number_of_nodes() > 3
    assert out.read_text(encoding="utf-8") == to_html(view, caption=caption)


def test_cli_chains_reads_only_what_a_chain_can_pass_and_finds_the_same_chains(
    corpus: CorpusInfo, store: ox.Store, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = to_networkx(store)
    for extra in ([], ["--any-relation"], ["--relation", "causes", "--max-hops", "2"]):
        args = ["chains", corpus.chain_start.label, corpus.chain_end.label, "--graph", str(store_dir)]
        capsys.readouterr()
        assert main([*args, *extra, "--format", "json"]) == 0
        expected = find_chains(
            whole, corpus.chain_start.label, corpus.chain_end.label,
            max_hops=2 if "--max-hops" in extra else 3, causal_only="--any-relation" not in extra,
            relations=["causes"] if "--relation" in extra else None,
        )  # fmt: skip
        assert capsys.readouterr().out == format_chains(expected, "json")
        assert len(expected) > 0 or extra


@pytest.mark.parametrize("limit", [1, None])
def test_a_search_cut_at_its_limit_gets_no_raw_baseline(
    corpus: CorpusInfo, store_dir: Path, monkeypatch: pytest.MonkeyPatch, limit: int | None
) -> None:
    """Regression (issue 14): the benchmark ran the causal-chains text whole with pyoxigraph beside a
    search that had stopped at its limit; from the hub at 1M claims that run had not ended after a
    quarter of an hour. Cut: no raw run, the record says why; not cut: raw pyoxigraph as before."""
    from benchmarks import run
    from graph_builder.sparql import reach

    if limit is not None:
        monkeypatch.setattr(reach, "DEFAULT_LIMIT", limit)
    raw_calls: list[str] = []

    def counting_raw(store: ox.Store, text: str, substitutions: Any) -> list[tuple[Any, ...]]:
        raw_calls.append(text)
        return raw_rows(store, text, substitutions)

    monkeypatch.setattr(run, "raw_rows", counting_raw)
    [opened, found] = run.phase_query(
        SIZE, Path(corpus.path), store_dir, 1, None, ["query:causal-chains@hub"]
    )
    assert opened["task"] == "open" and found["task"] == "query:causal-chains@hub"
    if limit is not None:
        assert found["rows"] == limit and not raw_calls
        assert found["pyoxigraph_s"] is None and found["baseline_skipped"] == run.BOUNDED_SEARCH
    else:
        assert found["rows"] > 1 and raw_calls and found["pyoxigraph_s"] is not None
        assert "baseline_skipped" not in found
