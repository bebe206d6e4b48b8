"""The medkg command line, end to end: build, validate, stats, query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph_builder.cli import build_parser, main
from graph_builder.core import namespaces as ns
from graph_builder.core.paths import ARTICLES_DIR, SEED_ANNOTATION, SEED_SOURCE_ID
from graph_builder.ingest.annotations import load_annotation, load_annotations
from graph_builder.kg.build import build_example
from graph_builder.kg.export import to_trig

REPO = Path(__file__).resolve().parents[2]


def _run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph_builder.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def seed_trig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed graph in a file of its own: a reading command never picks up $MEDKG_GRAPH or ./out/."""
    path = tmp_path_factory.mktemp("graph") / "medkg.trig"
    path.write_bytes(to_trig(build_example()))
    return path


def test_build_writes_three_files_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(SEED_ANNOTATION), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    claims = len(load_annotation(SEED_ANNOTATION).claims)
    assert f"assertions    {claims}" in out and "explicitly unsupported" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["medkg.jsonld", "medkg.trig", "medkg.ttl"]


def test_build_without_files_builds_the_example_corpus(
    tmp_path: Path, corpus_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--out", str(tmp_path)]) == 0
    claims = sum(len(a.claims) for a in load_annotations(corpus_files))
    assert f"built {claims} assertions from {len(corpus_files)} annotation file(s)" in capsys.readouterr().out
    assert len(corpus_files) == 7


#: ``medkg build`` then ``medkg viz`` (the example corpus, no graph named) in one process: a fresh process
#: spends most of its time reading the HPO and ICD-10-CM packages (about 9 s of 10), so both commands'
#: outputs are compared under two hash seeds in two processes rather than four.
_BUILD_THEN_VIZ = (
    "import sys\n"
    "from graph_builder.cli import main\n"
    "sys.exit(main(['build', '--out', sys.argv[1]]) or main(['viz', '--out', sys.argv[2]]))\n"
)


def test_build_and_page_are_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out, work = tmp_path / seed / "out", tmp_path / seed / "work"
        work.mkdir(parents=True)  # no ./out/ there: viz builds the example corpus itself
        env = {k: v for k, v in os.environ.items() if k not in ("MEDKG_GRAPH", "MEDKG_STORE")}
        env |= {"PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])}
        result = subprocess.run(
            [sys.executable, "-c", _BUILD_THEN_VIZ, str(out), str(work / "graph.html")],
            capture_output=True, text=True, cwd=work, env=env, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        files = {p.name: p.read_bytes() for p in out.iterdir()}
        assert sorted(files) == ["medkg.jsonld", "medkg.trig", "medkg.ttl"]
        outputs.append((files, (work / "graph.html").read_bytes()))
    assert outputs[0] == outputs[1]


def test_bad_input_exits_nonzero_and_leaves_out_untouched(
    tmp_path: Path, write_annotation: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["build", str(SEED_ANNOTATION), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    def mutate(d: dict[str, Any]) -> None:
        d["claims"][0]["relation"] = "cures"
        d["claims"][1]["quote"] = "nowhere in the text"
        d["claims"][2]["id"] = d["claims"][3]["id"]

    assert main(["build", str(write_annotation(mutate)), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "3 problems" in err and "nothing was written" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_validate_passes_on_the_seed_graph(seed_trig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(seed_trig)]) == 0
    assert "conforms" in capsys.readouterr().out


def test_validate_names_shape_and_focus_when_a_quote_is_missing(
    tmp_path: Path, seed_store: ox.Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ox.Store()
    store.extend(seed_store)
    quote = ox.NamedNode(ns.MEDKG_VOCAB + "quote")
    victim = next(
        q for q in store.quads_for_pattern(None, quote, None) if q.subject.value.startswith(ns.ASSERTION)
    )
    store.remove(victim)
    broken = tmp_path / "broken.trig"
    broken.write_bytes(to_trig(store))
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    focus = "assertion:" + victim.subject.value.removeprefix(ns.ASSERTION)
    assert "AssertionShape" in err and focus in err and "quote" in err


def test_validate_takes_graph_like_the_other_reading_commands(
    tmp_path: Path, seed_store: ox.Store, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 10: `medkg validate --graph FILE` was refused as an unrecognised argument.
    good, broken = tmp_path / "good.trig", tmp_path / "broken.trig"
    good.write_bytes(to_trig(seed_store))
    store = ox.Store()
    store.extend(seed_store)
    store.remove(next(store.quads_for_pattern(None, ox.NamedNode(ns.MEDKG_VOCAB + "quote"), None)))
    broken.write_bytes(to_trig(store))
    assert main(["validate", "--graph", str(good)]) == 0
    assert "conforms" in capsys.readouterr().out
    assert main(["validate", "--no-qa", "--graph", str(broken)]) == 1
    assert "AssertionShape" in capsys.readouterr().err
    assert main(["build", "--store", str(tmp_path / "db"), "--no-validate"]) == 0
    capsys.readouterr()
    assert main(["validate", "--graph", str(tmp_path / "db"), "--source", SEED_SOURCE_ID]) == 0
    assert capsys.readouterr().out.startswith(f"{SEED_SOURCE_ID}: ")
    with pytest.raises(SystemExit):
        main(["validate", str(good), "--graph", str(broken)])
    assert "--graph: not allowed with argument GRAPH" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["validate"], ["stats"], ["chains", "a", "b"], ["rank"], ["query", "run", "x"], ["viz"],
             ["serve"], ["push"]],
)  # fmt: skip
def test_every_reading_command_takes_graph(argv: list[str]) -> None:
    assert build_parser().parse_args([*argv, "--graph", "g.trig"]).graph == "g.trig"


def test_query_run_all_claims_json_is_w3c_with_every_claim(
    seed_trig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "run", "all-claims", "--format", "json", "--graph", str(seed_trig)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"claim", "subjectLabel", "evidenceLabel", "quote", "source"} <= set(doc["head"]["vars"])
    text = (ARTICLES_DIR / f"{SEED_SOURCE_ID}.txt").read_text(encoding="utf-8")
    rows = doc["results"]["bindings"]
    assert len(rows) == len(load_annotation(SEED_ANNOTATION).claims)
    for row in rows:
        assert row["quote"]["type"] == "literal" and row["quote"]["value"] in text


def test_stats_counts_the_seed(seed_trig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--graph", str(seed_trig)]) == 0
    out = capsys.readouterr().out
    assert "sources       1" in out and "chains        1" in out


def test_query_param_must_be_name_value(seed_trig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "run", "claims-about", "--param", "entity", "--graph", str(seed_trig)]) == 1
    assert "name=value" in capsys.readouterr().err


def test_every_command_has_help_with_examples() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    choices: dict[str, Any] = subparsers.choices  # type: ignore[assignment]
    assert {"build", "validate", "stats", "query"} <= set(choices)
    for name, sub in choices.items():
        assert "examples:" in (sub.epilog or ""), name


def test_console_script_help_runs() -> None:
    result = _run("--help")
    assert result.returncode == 0 and "medkg build" in result.stdout
