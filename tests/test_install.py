"""A non-editable install into a fresh venv, outside the checkout, finds the ontology and the queries, and
runs `medkg lookup` and `medkg extract` with no network."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from graph_builder.core.paths import ANNOTATIONS_DIR, SEED_ANNOTATION
from graph_builder.ingest.annotations import load_annotation, load_annotations

REPO = Path(__file__).resolve().parents[1]
#: No network for the commands that must work offline: a new network namespace (only loopback, down)
#: where the machine allows one, and in any case proxies that point nowhere.
_OFFLINE = (
    ["unshare", "-n"]
    if shutil.which("unshare")
    and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    else []
)
_NO_PROXY = {
    k: "http://127.0.0.1:9" for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
}
VENDORED = ("yasgui.min.js", "yasgui.min.css", "LICENSE-yasgui.txt", "NOTICE")


@pytest.mark.slow
def test_wheel_installed_outside_the_repo_builds_and_queries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `medkg query run` below must read the out/medkg.trig it has just built, not a graph named in the
    # environment of whoever runs the tests.
    monkeypatch.delenv("MEDKG_GRAPH", raising=False)
    monkeypatch.delenv("MEDKG_STORE", raising=False)
    # Nor may a PYTHONPATH naming a checkout put its graph_builder ahead of the installed wheel.
    monkeypatch.delenv("PYTHONPATH", raising=False)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
    )
    [wheel] = wheels.glob("medkg-*.whl")
    env_dir = tmp_path / "venv"
    # No pip of its own (ensurepip installs one from its bundled wheel, seconds of a test): this
    # interpreter's pip installs into it (``--python``, pip 22.3 and later).
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    # Reuse this interpreter's installed dependencies (no network): a .pth line adds its site-packages.
    # .pth files inside that folder are not processed, so the editable medkg there stays invisible.
    target = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(target, "medkg-test-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        check=True,
    )

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [str(py), "-c", "import graph_builder.core.paths as p; print(p.ONTOLOGY_FILE)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    ).stdout.strip()
    assert Path(where).is_file() and str(REPO) not in where
    medkg = env_dir / "bin" / "medkg"
    built = subprocess.run([str(medkg), "build", "--out", "out"], capture_output=True, text=True, cwd=work)
    assert built.returncode == 0, built.stderr
    assert (work / "out" / "medkg.trig").is_file()
    result = subprocess.run(
        [str(medkg), "query", "run", "all-claims", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=work,
        check=True,
    )
    # The wheel carries the example corpus, which `medkg build` builds by default: every claim of it.
    # Loaded together: a file's entities may name broader entities defined in another file.
    claims = sum(len(a.claims) for a in load_annotations(sorted(ANNOTATIONS_DIR.glob("*.yaml"))))
    assert (
        len(json.loads(result.stdout)["results"]["bindings"])
        == claims
        > len(load_annotation(SEED_ANNOTATION).claims)
    )
    listed = subprocess.run(
        [str(medkg), "query", "list"], capture_output=True, text=True, cwd=work, check=True
    )
    assert "unsupported-claims" in listed.stdout
    # The page's template, code and vis-network are files under graph_builder/viz/page/: the wheel carries them.
    drawn = subprocess.run(
        [str(medkg), "viz", "--out", "graph.html"], capture_output=True, text=True, cwd=work
    )
    assert drawn.returncode == 0, drawn.stderr
    page = (work / "graph.html").read_text(encoding="utf-8")
    assert "@version 9.1.2" in page  # vis-network's licence header
    assert 'id="medkg-data"' in page and "window.medkg = api" in page and "#details" in page
    shipped = subprocess.run(
        [str(py), "-c", "import graph_builder, pathlib; print(pathlib.Path(graph_builder.__file__).parent)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    ).stdout.strip()
    for notice in ("LICENSE-vis-network.txt", "NOTICE"):  # vis-network's licence travels with its copy
        assert Path(shipped, "viz", "page", notice).is_file()
    # The pages of `medkg serve` are files too: the workbench and the claim, entity and source pages, their
    # code, and YASGUI with its licence and NOTICE. Every file of the folder travels, byte for byte.
    workbench = Path(shipped, "endpoint", "workbench")
    checkout = REPO / "graph_builder/endpoint/workbench"
    names = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*") if p.is_file())
    assert {"page.html", "claim.html", "record.js", *(f"vendor/{n}" for n in VENDORED)} <= set(names)
    for name in names:
        assert (workbench / name).read_bytes() == (checkout / name).read_bytes(), name
    served = subprocess.run(
        [
            str(py),
            "-c",
            "from graph_builder.endpoint.pages import asset_reply as a; print(len(a('vendor/yasgui.min.js').body))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    ).stdout.strip()
    assert int(served) == (workbench / "vendor" / "yasgui.min.js").stat().st_size
    # `medkg lookup` from the wheel: the lay-synonym table is a file inside it, the vocabularies come from
    # the installed packages (here this interpreter's, through the .pth line), nothing from the network.
    assert (
        Path(shipped, "lookup", "lay-synonyms.tsv").read_bytes()
        == (REPO / "graph_builder/lookup/lay-synonyms.tsv").read_bytes()
    )
    env = {**os.environ, "MEDKG_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PYTHONPATH", None)
    looked = subprocess.run(
        [*_OFFLINE, str(medkg), "lookup", "backache", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=work,
        env={**env, **_NO_PROXY},
    )
    assert looked.returncode == 0, looked.stderr
    found = json.loads(looked.stdout)
    assert found["entities"][0]["id"] == "back-pain"
    assert ("mesh", "D001416", "lay") in {(t["vocabulary"], t["id"], t["match"]) for t in found["terms"]}
    # `medkg extract` from the wheel, offline too: a draft of the seed article that `medkg build` accepts.
    article = REPO / "data" / "articles" / "does-herpes-cause-lower-back-pain.txt"
    drafted = subprocess.run(
        [*_OFFLINE, str(medkg), "extract", str(article), "--out", "draft.yaml"],
        capture_output=True,
        text=True,
        cwd=work,
        env={**env, **_NO_PROXY},
    )
    assert drafted.returncode == 0, drafted.stderr
    checked = subprocess.run(
        [str(medkg), "build", "draft.yaml", "--out", "drafted"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
