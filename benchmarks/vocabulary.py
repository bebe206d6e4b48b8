"""The synthetic corpus's entities: a vocabulary with hubs and a Zipf (power-law) popularity.

Entities are drawn by role (a cause, a condition, a remedy, …); within a role the k-th most popular
entity is drawn about 1/k as often as the first, so a few hubs ("pain", "inflammation") take part in a
large share of the claims and most entities in a handful.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

#: Zipf exponent of entity popularity (1.0: the k-th entity is drawn about 1/k as often as the first).
ZIPF_S = 1.0


# Roles a relation's subject and object play; each role draws from entities of these types.
ROLES: dict[str, tuple[str, ...]] = {
    "condition": ("disease", "sign-or-symptom", "pathological-process"),
    "cause": ("disease", "pathogen", "risk-factor", "pathological-process"),
    "disease": ("disease",),
    "symptom": ("sign-or-symptom",),
    "remedy": ("intervention", "drug-class", "lifestyle"),
    "system": ("body-system",),
    "link": ("disease", "pathological-process"),  # the middle entity of a chain: caused, and causing
}
DOMAIN_RANGE: dict[str, tuple[str, str]] = {
    "causes": ("cause", "condition"),
    "contributes-to": ("cause", "condition"),
    "triggers": ("cause", "condition"),
    "predisposes-to": ("cause", "condition"),
    "exacerbates": ("cause", "condition"),
    "has-complication": ("disease", "condition"),
    "associated-with": ("condition", "condition"),
    "symptom-of": ("symptom", "disease"),
    "treats": ("remedy", "condition"),
    "alleviates": ("remedy", "condition"),
    "prevents": ("remedy", "condition"),
    "reduces-risk-of": ("remedy", "condition"),
    "strengthens": ("remedy", "system"),
}
CAUSAL = ("causes", "contributes-to", "triggers", "predisposes-to", "exacerbates", "has-complication")

# The most talked-about entities, most popular first: they become the hubs of the degree distribution.
# Some share the seed article's labels, so the named queries' default parameters find something.
HUBS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("pain", "sign-or-symptom", ("aches",)),
    ("inflammation", "pathological-process", ("inflammatory response",)),
    ("stress", "risk-factor", ("psychological stress",)),
    ("regular exercise", "lifestyle", ("physical activity", "exercising regularly")),
    ("fatigue", "sign-or-symptom", ("tiredness", "exhaustion")),
    ("headache", "sign-or-symptom", ("head pain",)),
    ("obesity", "disease", ("being overweight",)),
    ("immune system", "body-system", ()),
    ("NSAIDs", "drug-class", ("nonsteroidal anti-inflammatory drugs", "anti-inflammatory drugs")),
    ("back pain", "sign-or-symptom", ("backache", "backaches")),
    ("infection", "disease", ("infections",)),
    ("anxiety", "disease", ("anxiety disorder",)),
    ("diabetes", "disease", ("diabetes mellitus",)),
    ("poor sleep", "risk-factor", ("sleep deprivation",)),
    ("a healthy diet", "lifestyle", ("balanced diet", "nutritious foods")),
    ("hypertension", "disease", ("high blood pressure",)),
    ("smoking", "risk-factor", ("tobacco use",)),
    ("massage", "intervention", ("massage therapy",)),
    ("depression", "disease", ("major depression",)),
    ("nausea", "sign-or-symptom", ()),
    ("herpes", "disease", ("herpes simplex", "HSV infection")),
    ("lower back pain", "sign-or-symptom", ("low back pain", "lumbago")),
    ("cold compress", "intervention", ("cold pack",)),
    ("antibiotics", "drug-class", ()),
    ("nerve pain", "sign-or-symptom", ("neuralgia", "neuropathic pain")),
    ("oxidative stress", "pathological-process", ()),
    ("arthritis", "disease", ()),
    ("stretching", "lifestyle", ("stretching exercises",)),
    ("insomnia", "sign-or-symptom", ("sleeplessness",)),
    ("digestive system", "body-system", ("gut",)),
)

_SITES = (
    "knee", "shoulder", "neck", "hip", "wrist", "ankle", "jaw", "chest", "abdominal", "pelvic", "foot",
    "elbow", "lower back", "upper back", "joint", "muscle", "skin", "eye", "ear", "throat", "stomach",
    "leg", "arm", "hand", "finger", "toe", "scalp", "sinus", "gum", "heel",
)  # fmt: skip
_MODS = (
    "chronic", "acute", "mild", "severe", "recurrent", "persistent", "sudden", "intermittent",
    "nocturnal", "morning", "exercise-induced", "stress-related", "seasonal", "post-operative",
    "age-related", "migrating",
)  # fmt: skip
_CANDIDATES: dict[str, tuple[Sequence[str], ...]] = {
    "sign-or-symptom": (
        _MODS,
        _SITES,
        (
            "pain",
            "stiffness",
            "swelling",
            "numbness",
            "tingling",
            "itching",
            "cramps",
            "weakness",
            "tenderness",
            "burning",
            "soreness",
            "spasms",
            "redness",
            "discomfort",
        ),
    ),
    "disease": (
        (
            "chronic",
            "acute",
            "juvenile",
            "adult-onset",
            "recurrent",
            "allergic",
            "viral",
            "bacterial",
            "autoimmune",
            "hereditary",
            "post-infectious",
            "idiopathic",
            "degenerative",
            "traumatic",
            "mild",
        ),
        _SITES,
        (
            "infection",
            "injury",
            "disorder",
            "syndrome",
            "degeneration",
            "strain",
            "sprain",
            "ulcer",
            "cyst",
            "lesion",
            "fracture",
            "dermatitis",
            "neuropathy",
        ),
    ),
    "pathological-process": (
        ("chronic", "low-grade", "localised", "systemic", "progressive", "acute", "silent", "repeated"),
        _SITES,
        (
            "inflammation",
            "nerve damage",
            "tissue damage",
            "muscle tension",
            "poor circulation",
            "scarring",
            "fluid retention",
            "cartilage loss",
            "immune overreaction",
            "oxidative damage",
        ),
    ),
    "pathogen": (
        ("",),
        (
            "herpes simplex virus",
            "influenza virus",
            "rhinovirus",
            "norovirus",
            "Staphylococcus aureus",
            "Streptococcus pyogenes",
            "Escherichia coli",
            "Candida albicans",
            "Helicobacter pylori",
            "Epstein-Barr virus",
            "varicella-zoster virus",
            "Borrelia burgdorferi",
            "Salmonella enterica",
            "Listeria monocytogenes",
            "Clostridioides difficile",
            "Mycoplasma pneumoniae",
        ),
        ("", *(f"strain {a}{n}" for a in "ABCKMRTX" for n in range(1, 13))),
    ),
    "risk-factor": (
        ("chronic", "heavy", "long-term", "frequent", "excessive", "early", "daily", "night-time"),
        ("exposure to",),
        (
            "mold",
            "smoke",
            "cold weather",
            "noise",
            "pesticides",
            "dust",
            "pollen",
            "solvents",
            "loud music",
            "sunlight",
            "screens",
            "heat",
            "vibration",
            "lead",
            "asbestos",
            "diesel fumes",
        ),
    ),
    "intervention": (
        ("daily", "weekly", "gentle", "deep", "guided", "home", "professional", "short", "intensive"),
        _SITES,
        (
            "massage",
            "acupuncture",
            "physical therapy",
            "heat therapy",
            "surgery",
            "injections",
            "bracing",
            "ultrasound therapy",
            "hydrotherapy",
            "taping",
            "compression",
            "rest",
        ),
    ),
    "drug-class": (
        (
            "oral",
            "topical",
            "low-dose",
            "high-dose",
            "over-the-counter",
            "prescription",
            "natural",
            "long-acting",
            "fast-acting",
            "liquid",
        ),
        ("",),
        (
            "antivirals",
            "corticosteroids",
            "antihistamines",
            "probiotics",
            "statins",
            "beta blockers",
            "muscle relaxants",
            "antidepressants",
            "antifungals",
            "opioids",
            "proton pump inhibitors",
            "vitamin supplements",
            "herbal remedies",
            "pain relievers",
            "anticonvulsants",
            "iron tablets",
            "magnesium supplements",
            "zinc lozenges",
            "fish oil capsules",
            "melatonin",
        ),
    ),
    "lifestyle": (
        ("daily", "regular", "morning", "evening", "gentle", "brisk", "weekly", "supervised"),
        ("",),
        (
            "yoga",
            "meditation",
            "walking",
            "swimming",
            "cycling",
            "strength training",
            "tai chi",
            "deep breathing",
            "journaling",
            "gardening",
            "dancing",
            "hiking",
            "pilates",
            "fasting",
            "cold showers",
            "sauna sessions",
            "stretching routines",
            "breathing exercises",
        ),
    ),
    "body-system": (
        ("",),
        ("",),
        (
            "nervous system",
            "cardiovascular system",
            "respiratory system",
            "musculoskeletal system",
            "endocrine system",
            "lymphatic system",
            "skin barrier",
            "gut microbiome",
            "metabolism",
            "bone density",
            "joint health",
            "liver function",
            "kidney function",
            "circulation",
        ),
    ),
}
#: Types whose head words name an entity on their own ("massage"; but not "syndrome", "strain K3").
BARE_HEADS = frozenset(
    {"sign-or-symptom", "pathological-process", "intervention", "drug-class", "lifestyle", "body-system"}
)
#: How the non-hub vocabulary splits across entity types (a type that runs out of names gives way).
TYPE_SHARES: dict[str, float] = {
    "sign-or-symptom": 0.25, "disease": 0.25, "pathological-process": 0.08, "pathogen": 0.05,
    "risk-factor": 0.08, "intervention": 0.12, "drug-class": 0.07, "lifestyle": 0.08, "body-system": 0.02,
}  # fmt: skip


def vocabulary_size(n_claims: int) -> int:
    """Distinct entities of a corpus: grows sublinearly with its size, as vocabularies do (Heaps' law).

    >>> [vocabulary_size(n) for n in (1_000, 100_000, 1_000_000)]
    [378, 5999, 23886]
    """
    return max(len(HUBS) + 10, int(6 * n_claims**0.6))


def slugify(text: str) -> str:
    """An annotation slug: lower case, runs of other characters become one hyphen.

    >>> slugify("Staphylococcus aureus strain K3"), slugify("NSAIDs")
    ('staphylococcus-aureus-strain-k3', 'nsaids')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class EntitySpec:
    """One entity of the synthetic vocabulary, as every annotation file that uses it defines it."""

    id: str
    label: str
    type: str
    rank: int
    synonyms: tuple[str, ...] = ()

    def to_yaml(self) -> dict[str, Any]:
        """The entity's entry under ``entities:``; a pure function of the entity, so files agree."""
        out: dict[str, Any] = {"label": self.label, "type": self.type}
        if self.synonyms:
            out["synonyms"] = list(self.synonyms)
        if self.rank % 5 == 0:
            out["definition"] = (
                f"{self.label[0].upper()}{self.label[1:]}, as consumer health articles use the word."
            )
        groundings = []
        title = self.label.title()
        if self.rank % 5 != 4:  # most entities are grounded in MeSH
            groundings.append({"vocabulary": "mesh", "id": f"D{900000 + self.rank:06d}", "label": title})
        if self.type == "sign-or-symptom" and self.rank % 2 == 0:
            groundings.append({"vocabulary": "hpo", "id": f"HP:{9000000 + self.rank:07d}", "label": title})
        if self.type == "disease" and self.rank % 3 == 0:
            groundings.append({"vocabulary": "doid", "id": f"DOID:{900000 + self.rank}", "label": title})
        if self.type == "disease" and self.rank % 3 == 1:
            letter = "ABCDEFGHIJKLMN"[self.rank % 14]
            code = f"{letter}{self.rank % 10}{(self.rank // 10) % 10}.{self.rank // 100 % 10000}"
            groundings.append({"vocabulary": "icd10cm", "id": code, "label": title, "match": "close"})
        if groundings:
            out["groundings"] = groundings
        return out


def _names(entity_type: str) -> Iterator[str]:
    """Every synthetic name of a type: bare heads first, then ``site head``, then ``modifier site head``."""
    mods, sites, heads = _CANDIDATES[entity_type]
    if entity_type in BARE_HEADS:
        yield from heads
    for site, head in itertools.product(sites, heads):
        yield f"{site} {head}".strip()
    for mod, site, head in itertools.product(mods, sites, heads):
        yield " ".join(p for p in (mod, site, head) if p)


def build_vocabulary(n_entities: int, seed: int = 0) -> list[EntitySpec]:
    """The corpus's entities, most popular first: the hubs, then synthetic names in a seeded order."""
    rng = random.Random(f"{seed}:vocabulary")
    entities: list[EntitySpec] = []
    seen: set[str] = set()

    def add(label: str, entity_type: str, synonyms: tuple[str, ...] = ()) -> None:
        ident = slugify(label)
        if ident and ident not in seen and label.casefold() not in seen:
            seen.update((ident, label.casefold(), *(s.casefold() for s in synonyms)))
            entities.append(EntitySpec(ident, label, entity_type, len(entities), synonyms))

    for label, entity_type, synonyms in HUBS:
        add(label, entity_type, synonyms)
    pools: dict[str, list[str]] = {}
    for entity_type in TYPE_SHARES:
        names = list(dict.fromkeys(_names(entity_type)))
        # Bare heads first (they are the common words), the rest shuffled.
        head_count = len(_CANDIDATES[entity_type][2]) if entity_type in BARE_HEADS else 0
        rest = names[head_count:]
        rng.shuffle(rest)
        pools[entity_type] = names[:head_count] + rest
        pools[entity_type].reverse()  # pop() from the end
    types, shares = list(TYPE_SHARES), list(TYPE_SHARES.values())
    while len(entities) < n_entities and any(pools.values()):
        entity_type = rng.choices(types, weights=shares)[0]
        if not pools[entity_type]:
            shares[types.index(entity_type)] = 0.0
            continue
        label = pools[entity_type].pop()
        words = label.split(" ")
        # "chronic knee pain" is also written "knee pain, chronic".
        synonyms = (f"{' '.join(words[1:])}, {words[0]}",) if len(words) == 3 and rng.random() < 0.3 else ()
        add(label, entity_type, synonyms)
    return entities


@dataclass
class Pools:
    """Entities by role with cumulative Zipf weights, for fast weighted draws."""

    entities: dict[str, list[EntitySpec]]
    cumulative: dict[str, list[float]]

    @classmethod
    def of(cls, vocabulary: Sequence[EntitySpec]) -> Pools:
        entities, cumulative = {}, {}
        for role, types in ROLES.items():
            members = [e for e in vocabulary if e.type in types]
            entities[role] = members
            cumulative[role] = list(
                itertools.accumulate(1.0 / (i + 1) ** ZIPF_S for i in range(len(members)))
            )
        return cls(entities, cumulative)

    def draw(self, rng: random.Random, role: str) -> EntitySpec:
        cum = self.cumulative[role]
        return self.entities[role][bisect.bisect(cum, rng.random() * cum[-1])]
