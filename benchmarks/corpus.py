"""A realistic synthetic corpus for the benchmarks: health articles and their annotation files.

``generate_corpus(n_claims, out_dir, seed)`` writes one article text and one annotation file per article
(20–40 claims each) that pass medkg's checks. Entities have a power-law (Zipf) degree with a few hubs
("pain", "inflammation", "stress"); relations, evidence levels and stances follow the seed article's mix;
every quote, hedge cue and mechanism is composed into the article text, so it occurs there verbatim;
about half the articles state a two-step chain. Same ``n_claims`` and ``seed``, same bytes.

>>> import tempfile
>>> from pathlib import Path
>>> from graph_builder.ingest.annotations import read_annotation
>>> with tempfile.TemporaryDirectory() as tmp:
...     info = generate_corpus(100, Path(tmp))
...     problems = [p for f in info.annotation_files() for p in read_annotation(f)[1]]
>>> info.n_claims, problems
(100, [])
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks.vocabulary import (
    CAUSAL,
    DOMAIN_RANGE,
    ROLES,
    EntitySpec,
    Pools,
    build_vocabulary,
    vocabulary_size,
)
from benchmarks.wording import (
    ATTRIBUTIONS,
    CONDITIONS_AFTER,
    CONDITIONS_BEFORE,
    DISCLAIMERS,
    EVIDENCE_MIX,
    FILLERS,
    MECHANISMS,
    MODALS,
    RATIONALES,
    RELATION_MIX,
    STANCE_MIX,
    TITLES,
    VERBS,
    agree,
    cap,
    negate,
    object_phrase,
    title_case,
)
from graph_builder.ingest.migrate import SUPPORT_OF_EVIDENCE

#: Bumped whenever the output changes, so that cached corpora are regenerated.
GENERATOR_VERSION = 1
MANIFEST = "corpus.json"
CLAIMS_PER_ARTICLE = (20, 40)
#: Files per sub-folder, so that no folder holds tens of thousands of files.
SHARD = 1000

#: Share of articles that state a two-step chain (the seed states one).
CHAIN_SHARE = 0.5
#: Share of claims made in list sentences ("The common causes of back pain are A, B and C.").
LIST_SHARE = 0.15
#: Share of claims that say how it works ("… by reducing inflammation").
MECHANISM_SHARE = 0.1
#: Share of an article's claims about its topic entity.
TOPIC_SHARE = 0.35


@dataclass
class _Claim:
    """A claim while its article is composed: the quote is an offset into one sentence."""

    subject: EntitySpec
    relation: str
    object: EntitySpec
    stance: str
    evidence: str
    quote_at: int  # offset of the quote inside its sentence
    quote: str
    hedges: list[tuple[str, str]] = field(default_factory=list)
    mechanism: str | None = None
    negated: bool = False
    start: int = -1  # offset of the quote in the article, once placed


@dataclass
class _Sentence:
    text: str
    claims: list[_Claim]
    chain: tuple[str, str, str] | None = None  # (stance, evidence, whole sentence is the quote)


def _weighted(mix: dict[str, int]) -> tuple[list[str], list[int]]:
    return list(mix), list(itertools.accumulate(mix.values()))


_RELATIONS = _weighted(RELATION_MIX)
_EVIDENCE = _weighted(EVIDENCE_MIX)
_STANCES = _weighted(STANCE_MIX)


def _pick(rng: random.Random, weighted: tuple[list[str], list[int]]) -> str:
    keys, cum = weighted
    return keys[bisect.bisect(cum, rng.random() * cum[-1])]


class _Composer:
    """Composes one article's sentences and claims from templates, with a seeded random stream."""

    def __init__(self, rng: random.Random, pools: Pools, topic: EntitySpec) -> None:
        self.rng = rng
        self.pools = pools
        self.topic = topic

    def pair(self, relation: str) -> tuple[EntitySpec, EntitySpec]:
        """Subject and object for a relation, about the article's topic about a third of the time."""
        rng, domain, rng_range = self.rng, *DOMAIN_RANGE[relation]
        subject, obj = self.pools.draw(rng, domain), self.pools.draw(rng, rng_range)
        if rng.random() < TOPIC_SHARE:
            if self.topic.type in ROLES[rng_range]:
                obj = self.topic
            elif self.topic.type in ROLES[domain]:
                subject = self.topic
        while obj.id == subject.id:
            obj = self.pools.draw(rng, rng_range)
        return subject, obj

    def stance_and_evidence(self) -> tuple[str, str]:
        stance = _pick(self.rng, _STANCES)
        evidence = "explicitly-unsupported" if stance == "disclaimed" else _pick(self.rng, _EVIDENCE)
        if stance == "hedged" and evidence not in (
            "speculative",
            "uncited-assertion",
            "explicitly-unsupported",
        ):
            evidence = "speculative"
        return stance, evidence

    def single(self) -> _Sentence:
        """One sentence stating one claim, worded for its stance and evidence level."""
        rng = self.rng
        relation = _pick(rng, _RELATIONS)
        subject, obj = self.pair(relation)
        stance, evidence = self.stance_and_evidence()
        third, base = rng.choice(VERBS[relation])
        s, o = subject.label, object_phrase(obj)
        third = agree(s, third, base)
        hedges: list[tuple[str, str]] = []
        negated = stance == "negated"
        mechanism = None
        mech = ""
        explained = relation in CAUSAL or DOMAIN_RANGE[relation][0] == "remedy"
        if explained and not negated and rng.random() < MECHANISM_SHARE:
            mechanism = rng.choice(MECHANISMS)
            mech = f" by {mechanism}"
        if stance == "hedged":
            modal = rng.choice(MODALS)
            core = f"{s} {modal} {base} {o}{mech}"
            hedges.append((modal, "speculation"))
        elif stance == "conditional":
            if rng.random() < 0.5:
                cond = rng.choice(CONDITIONS_BEFORE)
                core = f"{cond}, {s} {third} {o}{mech}"
            else:
                cond = rng.choice(CONDITIONS_AFTER)
                core = f"{s} {third} {o}{mech} {cond}"
            hedges.append((cond, "condition"))
        elif stance == "disclaimed":
            lead, disclaimer = rng.choice(DISCLAIMERS)
            modal = rng.choice(MODALS)
            core = f"{lead} {disclaimer}, {s} {modal} {base} {o}{mech}"
            hedges += [(disclaimer, "disclaimer"), (modal, "speculation")]
        elif negated:
            phrase, cue = negate(s, base)
            if rng.random() < 0.5:
                core = f"Contrary to popular belief, {s} {phrase} {o}"
            else:
                core = f"{s} {phrase} {o}"
            hedges.append((cue, "negation"))
        else:
            core = f"{s} {third} {o}{mech}"
        if evidence in ATTRIBUTIONS and stance in ("asserted", "hedged"):
            source = rng.choice(ATTRIBUTIONS[evidence])
            core = f"{source}{',' if source.startswith('According') else ''} {core}"
            hedges.append((source, "attribution"))
        sentence = cap(core) + "."
        # Quote the whole sentence, or (a third of the time) the clause without its opening words.
        quote_at, quote = 0, sentence
        if stance == "asserted" and evidence == "uncited-assertion" and rng.random() < 0.33:
            lead = rng.choice(("It is well known that ", "Many people do not realise that ", "In fact, "))
            sentence = lead + core + "."
            quote_at, quote = len(lead), core
        claim = _Claim(subject, relation, obj, stance, evidence, quote_at, quote, hedges, mechanism, negated)
        return _Sentence(sentence, [claim])

    def listing(self, size: int) -> _Sentence:
        """One sentence stating several claims at once, which share its quote (as the seed's lists do)."""
        rng = self.rng
        remedy = rng.random() < 0.4
        relation = "alleviates" if remedy else "causes"
        domain, rng_range = DOMAIN_RANGE[relation]
        obj = (
            self.topic
            if self.topic.type in ROLES[rng_range] and rng.random() < 0.5
            else self.pools.draw(rng, rng_range)
        )
        subjects: dict[str, EntitySpec] = {}
        for _ in range(size * 4):
            e = self.pools.draw(rng, domain)
            if e.id != obj.id:
                subjects.setdefault(e.id, e)
            if len(subjects) == size:
                break
        names = [e.label for e in subjects.values()]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        hedges: list[tuple[str, str]] = []
        if remedy:
            sentence = f"{cap(listed)} can all help to ease {obj.label}."
            stance, evidence = "hedged", rng.choice(("uncited-assertion", "speculative"))
            hedges.append(("can all help", "speculation"))
        else:
            sentence = f"The common causes of {obj.label} are {listed}."
            stance, evidence = "asserted", "uncited-assertion"
        claims = [
            _Claim(e, relation, obj, stance, evidence, 0, sentence, list(hedges)) for e in subjects.values()
        ]
        return _Sentence(sentence, claims)

    def chain(self) -> _Sentence:
        """A sentence stating a two-step chain, A → B → C; each step is also a claim of its own."""
        rng = self.rng
        first = rng.choice(("causes", "causes", "triggers", "contributes-to", "associated-with"))
        second = rng.choice(("causes", "causes", "triggers", "contributes-to", "exacerbates"))
        role_a = "condition" if first == "associated-with" else "cause"
        middle = self.pools.draw(rng, "link")
        a = self.pools.draw(rng, role_a)
        c = (
            self.topic
            if self.topic.type in ROLES["condition"] and rng.random() < 0.5
            else self.pools.draw(rng, "condition")
        )
        for _ in range(20):
            if len({a.id, middle.id, c.id}) == 3:
                break
            a = self.pools.draw(rng, role_a)
            c = self.pools.draw(rng, "condition")
        else:
            return self.single()
        third1, base1 = rng.choice(VERBS[first])
        third1 = agree(a.label, third1, base1)
        _, base2 = rng.choice(VERBS[second])
        modal = rng.choice(("can", "may", "can possibly"))
        step1 = f"{a.label} {third1} {middle.label}"
        step2 = f"{modal} {base2} {c.label}"
        if rng.random() < 0.5:
            lead, disclaimer = DISCLAIMERS[0]
            opening = f"{lead} {disclaimer}, once "
            stance, evidence = "disclaimed", "explicitly-unsupported"
        else:
            opening = "Once "
            stance, evidence = "conditional", rng.choice(("uncited-assertion", "speculative"))
        sentence = f"{opening}{step1}, it {step2}."
        at1 = len(opening)
        at2 = sentence.index(step2, at1 + len(step1))
        hedges1 = [("once" if opening != "Once " else "Once", "condition")]
        hedges2 = [(modal, "speculation")]
        if stance == "disclaimed":
            hedges2.append((DISCLAIMERS[0][1], "disclaimer"))
        claims = [
            _Claim(a, first, middle, "conditional", "uncited-assertion", at1, step1, hedges1),
            _Claim(middle, second, c, "hedged" if stance != "disclaimed" else "disclaimed",
                   "speculative" if stance != "disclaimed" else "explicitly-unsupported", at2, step2, hedges2),
        ]  # fmt: skip
        return _Sentence(sentence, claims, chain=(stance, evidence, sentence))


@dataclass(frozen=True)
class ArticlePlan:
    """What one article holds: its index, id and number of claims."""

    index: int
    source_id: str
    n_claims: int


def _occurrence(text: str, quote: str, start: int) -> int | None:
    """Which occurrence of ``quote`` starts at ``start`` (None when the quote occurs once)."""
    hits, i = [], text.find(quote)
    while i >= 0:
        hits.append(i)
        i = text.find(quote, i + 1)
    return None if len(hits) == 1 else hits.index(start) + 1


def compose_article(plan: ArticlePlan, pools: Pools, seed: int) -> tuple[str, dict[str, Any], list[_Claim]]:
    """The text, the annotation data (text path not yet set) and the claims of one article."""
    rng = random.Random(f"{seed}:article:{plan.index}")
    topic = pools.draw(rng, "condition")
    composer = _Composer(rng, pools, topic)
    sentences: list[_Sentence] = []
    left = plan.n_claims
    if left >= 2 and rng.random() < CHAIN_SHARE:
        sentences.append(composer.chain())
        left -= len(sentences[-1].claims)
    while left > 0:
        if left >= 3 and rng.random() < LIST_SHARE / 2.5:
            sentence = composer.listing(min(left, rng.randint(2, 4)))
        else:
            sentence = composer.single()
        sentences.append(sentence)
        left -= len(sentence.claims)
    rng.shuffle(sentences)

    first = next((s.claims[0] for s in sentences), None)
    assert first is not None
    title = rng.choice(TITLES).format(
        S=title_case(first.subject.label), O=title_case(topic.label), N=rng.randint(3, 9)
    )
    parts = [title, "\n\n"]
    offset = len(title) + 2
    paragraph = 0
    for sentence in sentences:
        if paragraph and rng.random() < 0.25:
            parts.append("\n\n")
            offset += 2
            paragraph = 0
        elif paragraph:
            parts.append(" ")
            offset += 1
        if rng.random() < 0.2:
            filler = rng.choice(FILLERS) + " "
            parts.append(filler)
            offset += len(filler)
        for claim in sentence.claims:
            claim.start = offset + claim.quote_at
        parts.append(sentence.text)
        offset += len(sentence.text)
        paragraph += 1
    parts.append("\n")
    text = "".join(parts)

    entities: dict[str, EntitySpec] = {}
    claims_yaml: list[dict[str, Any]] = []
    chains_yaml: list[dict[str, Any]] = []
    agents: dict[str, dict[str, str]] = {}
    used_ids: Counter[str] = Counter()
    all_claims: list[_Claim] = []
    for sentence in sentences:
        ids = []
        for c in sentence.claims:
            entities.setdefault(c.subject.id, c.subject)
            entities.setdefault(c.object.id, c.object)
            base = ident = f"{c.subject.id}-{c.relation}-{c.object.id}"
            while ident in used_ids:
                used_ids[base] += 1
                ident = f"{base}-{used_ids[base] + 1}"
            used_ids[ident] += 1
            ids.append(ident)
            item: dict[str, Any] = {
                "id": ident, "subject": c.subject.id, "relation": c.relation, "object": c.object.id,
                "quote": c.quote,
            }  # fmt: skip
            occurrence = _occurrence(text, c.quote, c.start)
            if occurrence is not None:
                item["occurrence"] = occurrence
            if c.hedges:
                item["hedges"] = [{"text": t, "type": k} for t, k in c.hedges]
            # Format 2: the codebook's reading of the generator's stance and evidence level.
            support = SUPPORT_OF_EVIDENCE.get(c.evidence, c.evidence)
            said_by = next((t for t, kind in c.hedges if kind == "attribution"), None)
            if support == "attributed" and said_by is None:
                support = "none-stated"  # no words credit anyone: nothing to attribute it to
            if support == "disclaimed" and all(kind != "disclaimer" for _, kind in c.hedges):
                support = "none-stated"  # the sentence does not say research is missing
            item.update(support=support, rationale=rng.choice(RATIONALES[c.evidence]))
            if said_by is not None:
                agent = re.sub(r"[^a-z0-9]+", "-", said_by.lower()).strip("-")
                studies = any(w in said_by.lower() for w in ("stud", "trial", "review", "report", "research"))
                agents[agent] = {"name": said_by, "type": "unnamed-studies" if studies else "unnamed-experts"}
                item["attributed_to"] = agent
            if c.negated:
                item["polarity"] = "negated"
            if c.mechanism:
                item["mechanism"] = c.mechanism
            claims_yaml.append(item)
            all_claims.append(c)
        if sentence.chain is not None:
            _stance, evidence, quote = sentence.chain
            chain: dict[str, Any] = {
                "id": f"chain-{ids[0]}", "steps": ids, "support": SUPPORT_OF_EVIDENCE.get(evidence, evidence),
                "rationale": "The article states the path as one sentence; each step is unsupported.",
                "quote": quote,
            }  # fmt: skip
            chains_yaml.append(chain)
    data: dict[str, Any] = {
        "medkg": 2,
        "source": {
            "id": plan.source_id,
            "title": title,
            "text": "",
            "description": f"Synthetic benchmark article {plan.index} (benchmarks/corpus.py, seed {seed}).",
            "kind": "web-page",
            "url": f"https://example.org/health/{plan.source_id}",
        },
        "curation": {"agent": "manual_agent", "curator": "medkg benchmark generator"},
        "entities": {e.id: e.to_yaml() for e in sorted(entities.values(), key=lambda e: e.rank)},
        "claims": claims_yaml,
    }
    if agents:
        data["agents"] = dict(sorted(agents.items()))
    if chains_yaml:
        data["chains"] = chains_yaml
    return text, data, all_claims


# --- the corpus --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRef:
    """An entity the benchmarks query for, with the number of claims naming it."""

    id: str
    label: str
    type: str
    degree: int


@dataclass(frozen=True)
class CorpusInfo:
    """What :func:`generate_corpus` wrote; also saved as ``corpus.json`` in the corpus folder.

    ``hub`` is the condition most claims name, ``mid`` a condition of middling degree (the 5th
    percentile of conditions by degree), ``chain_start``/``chain_end`` the ends of a stated chain whose
    ends are about as popular as ``mid``.
    """

    path: str
    n_claims: int
    seed: int
    generator: int
    articles: int
    entities: int
    chains: int
    hub: EntityRef
    mid: EntityRef
    chain_start: EntityRef
    chain_end: EntityRef

    def annotation_files(self) -> list[Path]:
        """The annotation files, sorted."""
        return sorted((Path(self.path) / "annotations").rglob("*.yaml"))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CorpusInfo:
        raw = json.loads(text)
        ref = {k: EntityRef(**raw.pop(k)) for k in ("hub", "mid", "chain_start", "chain_end")}
        return cls(
            path=raw["path"], n_claims=raw["n_claims"], seed=raw["seed"], generator=raw["generator"],
            articles=raw["articles"], entities=raw["entities"], chains=raw["chains"],
            hub=ref["hub"], mid=ref["mid"], chain_start=ref["chain_start"], chain_end=ref["chain_end"],
        )  # fmt: skip


def plan_articles(n_claims: int, seed: int = 0) -> list[ArticlePlan]:
    """How many claims each article holds (20–40, the last one takes what is left)."""
    rng = random.Random(f"{seed}:plan")
    plans: list[ArticlePlan] = []
    left = n_claims
    while left > 0:
        low, high = CLAIMS_PER_ARTICLE
        n = min(left, rng.randint(low, high))
        plans.append(ArticlePlan(len(plans), f"synthetic-{len(plans):07d}", n))
        left -= n
    return plans


def annotation_path(out_dir: Path, plan: ArticlePlan) -> Path:
    """Where an article's annotation file is in a corpus folder (its text is under ``articles/`` alike)."""
    return out_dir / "annotations" / f"{plan.index // SHARD:03d}" / f"{plan.source_id}.yaml"


try:
    _DUMPER: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _DUMPER = yaml.SafeDumper

_WORKER: dict[str, Any] = {}


def _init_worker(n_entities: int, seed: int) -> None:
    _WORKER["pools"] = Pools.of(build_vocabulary(n_entities, seed))
    _WORKER["seed"] = seed


def _write_articles(
    out_dir: Path, plans: Sequence[ArticlePlan]
) -> list[tuple[Counter[str], list[tuple[str, str]]]]:
    pools, seed = _WORKER["pools"], _WORKER["seed"]
    results = []
    for plan in plans:
        text, data, claims = compose_article(plan, pools, seed)
        yaml_path = annotation_path(out_dir, plan)
        text_path = out_dir / "articles" / yaml_path.parent.name / f"{plan.source_id}.txt"
        text_path.parent.mkdir(parents=True, exist_ok=True)
        yaml_path.parent.mkdir(parents=True, exist_ok=True)
        data["source"]["text"] = f"../../articles/{yaml_path.parent.name}/{plan.source_id}.txt"
        text_path.write_text(text, encoding="utf-8")
        body = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)
        yaml_path.write_text(
            "# Synthetic benchmark annotation (benchmarks/corpus.py); do not edit.\n" + body, encoding="utf-8"
        )
        degree: Counter[str] = Counter()
        for c in claims:
            degree[c.subject.id] += 1
            degree[c.object.id] += 1
        chains = [(c["steps"][0], c["steps"][-1]) for c in data.get("chains", [])]
        ends = []
        by_id = {c["id"]: c for c in data["claims"]}
        for first, last in chains:
            ends.append((by_id[first]["subject"], by_id[last]["object"]))
        results.append((degree, ends))
    return results


def generate_corpus(n_claims: int, out_dir: Path, seed: int = 0, *, workers: int = 1) -> CorpusInfo:
    """Write a corpus of ``n_claims`` claims into ``out_dir`` and return what it holds.

    ``out_dir`` gets ``articles/NNN/*.txt``, ``annotations/NNN/*.yaml`` and ``corpus.json``. The output
    depends only on ``n_claims`` and ``seed`` (each article has its own seeded random stream), never
    on ``workers``, the number of processes that write it.
    """
    if n_claims < 1:
        raise ValueError(f"n_claims: expected at least 1; found {n_claims}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_entities = vocabulary_size(n_claims)
    plans = plan_articles(n_claims, seed)
    batches = [plans[i : i + 200] for i in range(0, len(plans), 200)]
    if workers > 1 and len(batches) > 1:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(n_entities, seed)) as pool:
            results = [
                r for batch in pool.map(_write_articles, itertools.repeat(out_dir), batches) for r in batch
            ]
    else:
        _init_worker(n_entities, seed)
        results = [r for batch in batches for r in _write_articles(out_dir, batch)]
    vocabulary = build_vocabulary(n_entities, seed)
    degree: Counter[str] = Counter()
    chain_ends: list[tuple[str, str]] = []
    for d, ends in results:
        degree.update(d)
        chain_ends += ends
    by_id = {e.id: e for e in vocabulary}

    def ref(ident: str) -> EntityRef:
        e = by_id[ident]
        return EntityRef(e.id, e.label, e.type, degree[ident])

    conditions = sorted(
        (e for e in vocabulary if e.type in ROLES["condition"] and degree[e.id]),
        key=lambda e: (-degree[e.id], e.rank),
    )
    hub, mid = conditions[0], conditions[len(conditions) // 20]
    target = degree[mid.id]
    start, end = min(
        chain_ends or [(hub.id, mid.id)],
        key=lambda p: (abs(max(degree[p[0]], degree[p[1]]) - target), p),
    )
    info = CorpusInfo(
        path=str(out_dir.resolve()),
        n_claims=n_claims,
        seed=seed,
        generator=GENERATOR_VERSION,
        articles=len(plans),
        entities=len(degree),
        chains=len(chain_ends),
        hub=ref(hub.id),
        mid=ref(mid.id),
        chain_start=ref(start),
        chain_end=ref(end),
    )
    (out_dir / MANIFEST).write_text(info.to_json(), encoding="utf-8")
    return info


def load_corpus_info(out_dir: Path) -> CorpusInfo | None:
    """The manifest of a corpus folder written by :func:`generate_corpus`, or None if there is none."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    return CorpusInfo.from_json(path.read_text(encoding="utf-8"))
