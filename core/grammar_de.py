"""English→German grammar and lexicon behind the built-in ``en-de`` corpus.

This module owns the German side of the toy language: the noun lexicon (gender, plural), the
verb conjugation tables, the article system (der/die/das, ein/eine, accusative den/einen) and
the sentence patterns.  Everything is built from small phrase objects so that each generated
pair is grammatical by construction, and the lecture sentences ("Time flies like an arrow",
"Fruit flies like a banana", ...) are reachable only by *recombining* ingredients that the
training data shows in other combinations.  Only the standard library is used.

Simplifications: English "you" is always "du"; adverbs go at the end of the clause (correct
German for these simple main clauses); no adjectives; comparisons are always "like a/an N" ->
"wie ein(e) N" (nominative); "fruit flies" is always the compound noun "Fruchtfliegen";
"Time" (no article) is always "die Zeit"; "fruit" never appears on its own.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from core.corpus import Pair


@dataclass(frozen=True)
class Noun:
    en: str
    en_pl: str
    de: str
    de_pl: str
    gender: str  # "m", "f" or "n"
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Verb:
    en: str
    en_3sg: str
    forms: tuple[str, str, str, str, str, str]  # ich, du, er/sie/es, wir, ihr, sie
    subjects: tuple[str, ...]  # noun tags allowed as subject
    objects: tuple[str, ...] = ()  # noun tags allowed as object (transitive use)
    likes: tuple[str, ...] = ()  # nouns allowed in "like a ..." comparisons (intransitive use)


@dataclass(frozen=True)
class Phrase:
    """A noun phrase: English text, German nominative/accusative, and agreement features."""

    en: str
    nom: str
    acc: str
    person: int  # 1, 2 or 3
    plural: bool
    tags: tuple[str, ...]
    key: str = ""  # lexicon key of the head noun ("" for pronouns)


def _n(en: str, en_pl: str, de: str, de_pl: str, gender: str, *tags: str) -> Noun:
    return Noun(en, en_pl, de, de_pl, gender, tags)


NOUNS: dict[str, Noun] = {
    n.en: n
    for n in (
        _n("dog", "dogs", "Hund", "Hunde", "m", "animal", "thing"),
        _n("cat", "cats", "Katze", "Katzen", "f", "animal", "thing"),
        _n("bird", "birds", "Vogel", "Vögel", "m", "animal", "flyer", "thing"),
        _n("horse", "horses", "Pferd", "Pferde", "n", "animal", "thing"),
        _n("fruit fly", "fruit flies", "Fruchtfliege", "Fruchtfliegen", "f", "insect", "flyer"),
        _n("fish", "fish", "Fisch", "Fische", "m", "compare"),  # only in "like a fish"
        _n("child", "children", "Kind", "Kinder", "n", "person", "thing"),
        _n("man", "men", "Mann", "Männer", "m", "person", "thing"),
        _n("woman", "women", "Frau", "Frauen", "f", "person", "thing"),
        _n("arrow", "arrows", "Pfeil", "Pfeile", "m", "flyer", "thing", "object"),
        _n("plane", "planes", "Flugzeug", "Flugzeuge", "n", "flyer", "thing", "object"),
        _n("river", "rivers", "Fluss", "Flüsse", "m", "thing"),
        _n("apple", "apples", "Apfel", "Äpfel", "m", "food", "thing", "object"),
        _n("banana", "bananas", "Banane", "Bananen", "f", "food", "thing", "object"),
        _n("egg", "eggs", "Ei", "Eier", "n", "food", "thing", "object"),
        _n("book", "books", "Buch", "Bücher", "n", "text", "thing", "object"),
        _n("letter", "letters", "Brief", "Briefe", "m", "text", "thing", "object"),
        _n("newspaper", "newspapers", "Zeitung", "Zeitungen", "f", "text", "thing", "object"),
        _n("house", "houses", "Haus", "Häuser", "n", "thing", "object"),
        _n("ball", "balls", "Ball", "Bälle", "m", "thing", "object"),
        _n("tree", "trees", "Baum", "Bäume", "m", "thing"),
        _n("car", "cars", "Auto", "Autos", "n", "thing", "object"),
    )
}

# English pronoun -> (German, person, plural, tags).  "you" is always the informal "du".
PRONOUNS: dict[str, tuple[str, int, bool, tuple[str, ...]]] = {
    "I": ("ich", 1, False, ("person", "animal", "pron")),
    "you": ("du", 2, False, ("person", "animal", "pron")),
    "he": ("er", 3, False, ("person", "animal", "pron")),
    "she": ("sie", 3, False, ("person", "animal", "pron")),
    "it": ("es", 3, False, ("animal", "flyer", "pron")),
    "we": ("wir", 1, True, ("person", "animal", "pron")),
    "they": ("sie", 3, True, ("person", "animal", "pron")),
}

_ANIMATE = ("animal", "person")
_INSECT = ("animal", "person", "insect")
# fmt: off
VERBS: dict[str, Verb] = {
    "see": Verb("see", "sees", ("sehe", "siehst", "sieht", "sehen", "seht", "sehen"),
                _INSECT, ("thing",)),
    "eat": Verb("eat", "eats", ("esse", "isst", "isst", "essen", "esst", "essen"),
                _INSECT, ("food",), ("horse", "bird", "child", "dog")),
    "read": Verb("read", "reads", ("lese", "liest", "liest", "lesen", "lest", "lesen"),
                 ("person",), ("text",)),
    "write": Verb("write", "writes",
                  ("schreibe", "schreibst", "schreibt", "schreiben", "schreibt", "schreiben"),
                  ("person",), ("text",)),
    "have": Verb("have", "has", ("habe", "hast", "hat", "haben", "habt", "haben"),
                 _ANIMATE, ("object", "animal")),
    "like": Verb("like", "likes", ("mag", "magst", "mag", "mögen", "mögt", "mögen"),
                 _INSECT, ("thing",)),
    "buy": Verb("buy", "buys", ("kaufe", "kaufst", "kauft", "kaufen", "kauft", "kaufen"),
                ("person",), ("object",)),
    "fly": Verb("fly", "flies", ("fliege", "fliegst", "fliegt", "fliegen", "fliegt", "fliegen"),
                ("flyer", "time", "pron"), (), ("arrow", "bird", "plane")),
    "run": Verb("run", "runs", ("laufe", "läufst", "läuft", "laufen", "lauft", "laufen"),
                ("person", "animal", "time"), (), ("arrow", "river", "horse", "dog")),
    "sleep": Verb("sleep", "sleeps",
                  ("schlafe", "schläfst", "schläft", "schlafen", "schlaft", "schlafen"),
                  ("person", "animal"), (), ("child", "cat", "dog", "horse")),
    "swim": Verb("swim", "swims",
                 ("schwimme", "schwimmst", "schwimmt", "schwimmen", "schwimmt", "schwimmen"),
                 ("person", "animal"), (), ("fish", "dog", "child")),
    "pass": Verb("pass", "passes",
                 ("vergehe", "vergehst", "vergeht", "vergehen", "vergeht", "vergehen"),
                 ("time",), (), ("arrow", "river")),
}
# fmt: on

TRANSITIVE = ("see", "eat", "read", "write", "have", "like", "buy")
INTRANSITIVE = ("fly", "run", "sleep", "swim", "eat", "pass")
ADVERBS: dict[str, str] = {"quickly": "schnell", "slowly": "langsam", "well": "gut", "often": "oft"}
TIME_ADVERBS = ("quickly", "slowly")

_DEF = {"m": ("der", "den"), "f": ("die", "die"), "n": ("das", "das")}
_INDEF = {"m": ("ein", "einen"), "f": ("eine", "eine"), "n": ("ein", "ein")}
TIME = Phrase("time", "die Zeit", "die Zeit", 3, False, ("time",))


def noun_phrase(noun: str, det: str, plural: bool = False) -> Phrase:
    """Build "the dog" / "a dog" / "the dogs" / "dogs" (det "the", "a" or "")."""
    if noun == "time":
        return TIME
    n = NOUNS[noun]
    if plural:
        if det == "a":
            raise ValueError("no indefinite plural")
        de = ("die " if det == "the" else "") + n.de_pl
        en = ("the " if det == "the" else "") + n.en_pl
        return Phrase(en, de, de, 3, True, n.tags, noun)
    if det == "the":
        nom, acc = _DEF[n.gender]
        return Phrase(f"the {n.en}", f"{nom} {n.de}", f"{acc} {n.de}", 3, False, n.tags, noun)
    if det == "a":
        nom, acc = _INDEF[n.gender]
        art = "an" if n.en[0] in "aeiou" else "a"
        return Phrase(f"{art} {n.en}", f"{nom} {n.de}", f"{acc} {n.de}", 3, False, n.tags, noun)
    raise ValueError(f"a singular noun needs an article: {noun!r}")


def pronoun(en: str) -> Phrase:
    de, person, plural, tags = PRONOUNS[en]
    return Phrase(en, de, de, person, plural, tags)


def _sentence(words: Iterable[str]) -> str:
    text = " ".join(w for w in words if w)
    return text[0].upper() + text[1:]


def _verb(verb: Verb, subj: Phrase) -> tuple[str, str]:
    en = verb.en_3sg if subj.person == 3 and not subj.plural else verb.en
    return en, verb.forms[subj.person - 1 + (3 if subj.plural else 0)]


def transitive(subj: Phrase, verb: str, obj: Phrase, adverb: str = "") -> Pair:
    """Subject + verb + accusative object (+ adverb at the end)."""
    en, de = _verb(VERBS[verb], subj)
    return Pair(
        _sentence((subj.en, en, obj.en, adverb)),
        _sentence((subj.nom, de, obj.acc, ADVERBS.get(adverb, ""))),
    )


def intransitive(subj: Phrase, verb: str, adverb: str = "", like: Phrase | None = None) -> Pair:
    """Subject + verb (+ adverb) (+ "like a ..." -> "wie" + nominative)."""
    en, de = _verb(VERBS[verb], subj)
    like_en = f"like {like.en}" if like else ""
    like_de = f"wie {like.nom}" if like else ""
    return Pair(
        _sentence((subj.en, en, adverb, like_en)),
        _sentence((subj.nom, de, ADVERBS.get(adverb, ""), like_de)),
    )


def _phrases(tags: Iterable[str], with_pronouns: bool) -> list[Phrase]:
    """Every noun phrase (and pronoun) whose noun carries one of ``tags``, in fixed order."""
    wanted = set(tags)
    out: list[Phrase] = []
    if "time" in wanted:
        out.append(TIME)
    for key in sorted(NOUNS):
        if wanted.intersection(NOUNS[key].tags):
            out += [noun_phrase(key, "the"), noun_phrase(key, "a")]
            out += [noun_phrase(key, "the", True), noun_phrase(key, "", True)]
    if with_pronouns:
        out += [pronoun(p) for p in PRONOUNS if wanted.intersection(PRONOUNS[p][3])]
    return out


def _comparisons(nouns: Iterable[str]) -> list[Phrase]:
    out: list[Phrase] = []
    for key in nouns:
        out.append(noun_phrase(key, "a"))
    return out


def _sample(rng: random.Random, total: int, k: int) -> list[int]:
    return sorted(rng.sample(range(total), min(k, total)))


# --- read-only views for other tasks (the classification task in core.classify_task) --------
# They only call the helpers above; :func:`generate` does not use them, so the translation
# corpus (and the shipped models rebuilt from it) cannot change through them.


def subject_phrases(verb: str) -> list[Phrase]:
    """Every subject ``verb`` takes (nouns in all four forms, then pronouns), fixed order."""
    return _phrases(VERBS[verb].subjects, True)


def object_phrases(verb: str) -> list[Phrase]:
    """Every accusative object of a transitive ``verb``, fixed order."""
    return _phrases(VERBS[verb].objects, False)


def comparison_phrases(verb: str) -> list[Phrase]:
    """The "like a ..." phrases an intransitive ``verb`` takes."""
    return _comparisons(VERBS[verb].likes)


SUBJECT_KINDS = ("person", "animal", "thing")
# Pronouns whose kind English makes plain.  "it" (an animal or a thing) and "they" (people,
# animals or things) are left out: a learner could not tell the answer from the sentence.
PRONOUN_KINDS: dict[str, str] = {p: "person" for p in ("I", "you", "we", "he", "she")}


def subject_kind(subject: Phrase) -> str | None:
    """Who does the action, read from the phrase's own tags: "person", "animal" or "thing".

    Noun tags mix kinds with what verbs allow ("dog" is tagged "animal" and "thing" because
    one can see a dog), so the order matters: "person" first, then "animal" / "insect"
    (fruit flies are animals), then everything else is a thing ("time" is an abstract one).
    Pronouns carry verb-selection tags only, so their kind is :data:`PRONOUN_KINDS`;
    ``None`` for "it" and "they".
    """
    if "pron" in subject.tags:
        return PRONOUN_KINDS.get(subject.en)
    if "person" in subject.tags:
        return "person"
    if {"animal", "insect"} & set(subject.tags):
        return "animal"
    return "thing"


LECTURE: tuple[Pair, ...] = (
    Pair("Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"),
    Pair("Fruit flies like a banana", "Fruchtfliegen mögen eine Banane"),
    Pair("The dog sees the cat", "Der Hund sieht die Katze"),
    Pair("The children like an apple", "Die Kinder mögen einen Apfel"),
    Pair("The woman reads a book", "Die Frau liest ein Buch"),
)


def required() -> list[Pair]:
    """Ingredient sentences that must be in the data so the lecture can be generalised."""
    the, a = "the", "a"
    flies = noun_phrase("fruit fly", "", True)
    arrow, bird, plane = noun_phrase("arrow", a), noun_phrase("bird", a), noun_phrase("plane", a)
    return [
        intransitive(noun_phrase("bird", the), "fly", like=arrow),
        intransitive(noun_phrase("plane", the), "fly", like=arrow),
        intransitive(noun_phrase("bird", "", True), "fly", like=arrow),
        intransitive(pronoun("it"), "fly", like=arrow),
        intransitive(TIME, "pass", like=arrow),
        intransitive(noun_phrase("dog", the), "run", like=arrow),
        intransitive(TIME, "fly", like=bird),
        intransitive(TIME, "fly", like=plane),
        intransitive(TIME, "fly", "quickly"),
        intransitive(TIME, "fly", "slowly"),
        intransitive(TIME, "fly"),
        intransitive(TIME, "run", like=noun_phrase("river", a)),
        intransitive(TIME, "pass", "quickly"),
        intransitive(noun_phrase("plane", the), "fly", like=bird),
        intransitive(flies, "fly", like=arrow),
        transitive(noun_phrase("dog", "", True), "like", noun_phrase("banana", a)),
        transitive(noun_phrase("cat", the), "like", noun_phrase("apple", a)),
        transitive(pronoun("I"), "like", noun_phrase("dog", the)),
        transitive(flies, "eat", noun_phrase("banana", a)),
        transitive(flies, "like", noun_phrase("apple", a)),
        transitive(flies, "like", noun_phrase("bird", the)),
        transitive(flies, "see", noun_phrase("arrow", a)),
        transitive(noun_phrase("child", the, True), "like", noun_phrase("banana", a)),
        transitive(noun_phrase("child", the, True), "see", noun_phrase("dog", the)),
        transitive(noun_phrase("man", the), "like", noun_phrase("apple", a)),
        transitive(noun_phrase("dog", the), "see", noun_phrase("bird", the)),
        transitive(noun_phrase("man", the), "see", noun_phrase("cat", the)),
        transitive(noun_phrase("woman", the), "read", noun_phrase("letter", a)),
        transitive(noun_phrase("man", the), "read", noun_phrase("book", a)),
    ]


# How many sentences to draw from each pattern family, per verb.
_PER_VERB = {"transitive": 260, "adverb": 25, "like": 130, "intr_adverb": 45, "bare": 12}


def generate(rng: random.Random) -> list[Pair]:
    """Draw the corpus: sampled sentences of every pattern plus :func:`required`, sorted."""
    pairs: list[Pair] = []
    for key in TRANSITIVE:
        verb = VERBS[key]
        subjects, objects = _phrases(verb.subjects, True), _phrases(verb.objects, False)
        for i in _sample(rng, len(subjects) * len(objects), _PER_VERB["transitive"]):
            subj, obj = subjects[i // len(objects)], objects[i % len(objects)]
            pairs.append(transitive(subj, key, obj))
        adverbs = sorted(set(ADVERBS) - {"well"})
        n = len(subjects) * len(objects)
        for i in _sample(rng, n * len(adverbs), _PER_VERB["adverb"]):
            subj, obj = subjects[(i % n) // len(objects)], objects[(i % n) % len(objects)]
            pairs.append(transitive(subj, key, obj, adverbs[i // n]))
    for key in INTRANSITIVE:
        verb = VERBS[key]
        subjects = _phrases(verb.subjects, True)
        likes = _comparisons(verb.likes)
        for i in _sample(rng, len(subjects) * len(likes), _PER_VERB["like"]):
            subj, like = subjects[i // len(likes)], likes[i % len(likes)]
            if subj.key != like.key:  # not "The arrows fly like an arrow"
                pairs.append(intransitive(subj, key, like=like))
        for i in _sample(rng, len(subjects) * len(ADVERBS), _PER_VERB["intr_adverb"]):
            subj, adverb = subjects[i // len(ADVERBS)], sorted(ADVERBS)[i % len(ADVERBS)]
            if subj is not TIME or adverb in TIME_ADVERBS:
                pairs.append(intransitive(subj, key, adverb))
        for i in _sample(rng, len(subjects), _PER_VERB["bare"]):
            pairs.append(intransitive(subjects[i], key))
    pairs = [_with_period(p) if rng.random() < 0.2 else p for p in pairs]
    return sorted(set(pairs + required()), key=lambda p: (p.source, p.target))


def _with_period(pair: Pair) -> Pair:
    return Pair(pair.source + ".", pair.target + ".")
