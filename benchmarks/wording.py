"""How the synthetic articles word their claims: the seed's mix of relations, evidence and stances,
verb phrases, hedge cues, attributions, rationales and filler sentences.
"""

from __future__ import annotations

from benchmarks.vocabulary import EntitySpec

# The seed article's counts (data/annotations/does-herpes-cause-lower-back-pain.yaml, 33 claims), plus
# one for every term, so that terms the seed does not use (treats, negated, randomized-trials, …) occur
# and every query path is exercised. Kept here rather than read from the seed, so that editing the seed
# does not silently change the benchmark corpus.
RELATION_MIX: dict[str, int] = {
    "causes": 12, "alleviates": 7, "triggers": 6, "has-complication": 3, "contributes-to": 3,
    "associated-with": 3, "reduces-risk-of": 3, "prevents": 2, "symptom-of": 2, "strengthens": 2,
    "treats": 1, "predisposes-to": 1, "exacerbates": 1,
}  # fmt: skip
EVIDENCE_MIX: dict[str, int] = {
    "explicitly-unsupported": 7, "speculative": 2, "uncited-assertion": 27, "expert-opinion": 1,
    "case-reports": 1, "observational-studies": 1, "randomized-trials": 1, "systematic-reviews": 1,
}  # fmt: skip
STANCE_MIX: dict[str, int] = {"asserted": 24, "conditional": 6, "disclaimed": 4, "hedged": 3, "negated": 1}


# Per relation: (third person, base form after a modal) phrasings.
VERBS: dict[str, tuple[tuple[str, str], ...]] = {
    "causes": (("causes", "cause"), ("leads to", "lead to"), ("results in", "result in"),
               ("brings on", "bring on"), ("gives rise to", "give rise to")),
    "contributes-to": (("contributes to", "contribute to"), ("plays a role in", "play a role in"),
                       ("adds to", "add to")),
    "triggers": (("triggers", "trigger"), ("sets off", "set off"), ("provokes", "provoke")),
    "predisposes-to": (("predisposes people to", "predispose people to"), ("raises the risk of", "raise the risk of"),
                       ("makes you more prone to", "make you more prone to")),
    "exacerbates": (("worsens", "worsen"), ("aggravates", "aggravate"), ("exacerbates", "exacerbate")),
    "has-complication": (("can be complicated by", "be complicated by"),
                         ("leads to complications such as", "lead to complications such as")),
    "associated-with": (("is associated with", "be associated with"), ("is linked to", "be linked to"),
                        ("often goes together with", "go together with")),
    "symptom-of": (("is a symptom of", "be a symptom of"), ("is a common sign of", "be a sign of"),
                   ("often points to", "point to")),
    "treats": (("treats", "treat"), ("is used to treat", "be used to treat"), ("cures", "cure")),
    "alleviates": (("relieves", "relieve"), ("eases", "ease"), ("helps with", "help with"),
                   ("alleviates", "alleviate"), ("soothes", "soothe")),
    "prevents": (("prevents", "prevent"), ("protects against", "protect against"), ("wards off", "ward off")),
    "reduces-risk-of": (("reduces the risk of", "reduce the risk of"),
                        ("lowers your chances of getting", "lower your chances of getting"),
                        ("cuts the risk of", "cut the risk of")),
    "strengthens": (("strengthens", "strengthen"), ("boosts", "boost"), ("supports", "support")),
}  # fmt: skip
MODALS = ("may", "might", "can possibly", "could", "is thought to", "appears to", "can")
CONDITIONS_BEFORE = (
    "If left untreated", "When it becomes chronic", "Once it has set in", "In people over 50",
    "If you are not careful", "When the immune system is weak", "During pregnancy", "In rare cases",
)  # fmt: skip
CONDITIONS_AFTER = (
    "if it is not treated early", "when the infection spreads", "if you do not rest enough",
    "as long as it is done every day", "when combined with rest", "if symptoms last more than a week",
)  # fmt: skip
DISCLAIMERS = (
    ("While", "this is not supported by any medical research"),
    ("Although", "no study has confirmed it"),
    ("Even though", "there is no scientific proof for this"),
)
ATTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "expert-opinion": ("According to doctors", "Medical guidelines state that", "Experts agree that"),
    "case-reports": ("Case reports describe how", "Several case reports show that"),
    "observational-studies": ("Studies have found that", "Observational studies show that",
                              "Research in large groups of people shows that"),
    "randomized-trials": ("A randomized controlled trial showed that", "Clinical trials have shown that"),
    "systematic-reviews": ("A systematic review concluded that", "A review of many studies found that"),
}  # fmt: skip
RATIONALES: dict[str, tuple[str, ...]] = {
    "explicitly-unsupported": ("The article itself says no research supports this.",
                               "Stated, then disclaimed by the article as unproven."),
    "speculative": ("A hedged possibility; no support is given.", "Put as a possibility, without a source."),
    "uncited-assertion": ("Stated as fact; no source is cited.", "General claim without a citation.",
                          "Presented as common knowledge, with no reference."),
    "expert-opinion": ("Attributed to doctors or guidelines, none of them named.",),
    "case-reports": ("Rests on case reports the article mentions but does not cite.",),
    "observational-studies": ("Attributed to observational studies, not cited.",),
    "randomized-trials": ("Attributed to a randomized trial the article names only in passing.",),
    "systematic-reviews": ("Attributed to a systematic review, not cited.",),
}  # fmt: skip
MECHANISMS = (
    "reducing inflammation", "improving blood flow", "relaxing the muscles", "weakening the immune system",
    "damaging the nerves", "raising blood pressure", "lowering stress hormones", "irritating the tissues",
    "releasing endorphins", "loosening stiff joints", "calming the nervous system", "disturbing sleep",
)  # fmt: skip
FILLERS = (
    "Many people experience this at some point in their lives.",
    "Talk to your doctor if the symptoms persist.",
    "Here is what you should know.",
    "Everyone is different, and what works for one person may not work for another.",
    "It is important to listen to your body.",
    "The good news is that there are simple things you can do at home.",
    "Keep reading to learn more.",
    "This article is for information only and does not replace medical advice.",
    "Symptoms can vary from person to person.",
    "Some of these tips are easy to try.",
)
TITLES = (
    "Does {S} Cause {O}?", "What You Should Know About {O}", "{N} Ways to Relieve {O}",
    "The Link Between {S} and {O}", "Can {S} Help With {O}?", "Everything About {O}: Causes and Remedies",
)  # fmt: skip


def cap(text: str) -> str:
    return text[0].upper() + text[1:]


def title_case(label: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in label.split(" "))


def plural(label: str) -> bool:
    """Whether a label reads as a plural subject ("NSAIDs relieve", "antibiotics treat")."""
    return label.endswith("s") and not label.endswith(("ss", "is", "us", "sis", "ics"))


def agree(label: str, third: str, base: str) -> str:
    """The verb phrase agreeing with the subject: 'relieves', or 'relieve' and 'are linked to' for plurals."""
    if not plural(label):
        return third
    return "are " + base[3:] if base.startswith("be ") else base


def object_phrase(entity: EntitySpec) -> str:
    """How the text names an object: body systems take 'your' ('strengthens your immune system')."""
    return f"your {entity.label}" if entity.type == "body-system" else entity.label


def negate(label: str, base: str) -> tuple[str, str]:
    """A negated verb phrase and its negation cue: 'does not cause', 'is not linked to', 'do not cure'."""
    is_plural = plural(label)
    if base.startswith("be "):
        cue = "are not" if is_plural else "is not"
        return f"{cue} {base[3:]}", cue
    cue = "do not" if is_plural else "does not"
    return f"{cue} {base}", cue
