"""English→French grammar and lexicon behind the built-in ``en-fr`` corpus.

This module owns the French side of the toy language: nouns with gender and plural, adjectives
with agreement and position (``le grand arbre`` but ``la voiture rouge``), the articles and
demonstratives with elision (``l'arbre``, ``cet arbre``, ``ce grand arbre``), subject-verb
agreement with ``je``/``j'`` elision, and ``beaucoup`` placed after the verb.  Pairs are built
from phrase objects so every one is grammatical by construction, and the lecture sentences
("You like this course", "I like this course", ...) are reachable only by recombining
ingredients seen elsewhere in training.  Only the standard library is used.

Simplifications: English "you" is always the formal/plural "vous"; no "it" (il/elle would
depend on the French gender); no bare or indefinite plurals (they would need ``des``/``de``).
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
    fr: str
    fr_pl: str
    gender: str  # "m" or "f"
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Adjective:
    en: str
    forms: tuple[str, str, str, str]  # m sg, f sg, m pl, f pl
    before: bool  # placed before the noun in French
    tags: tuple[str, ...]  # nouns it may describe


@dataclass(frozen=True)
class Verb:
    en: str
    en_3sg: str
    forms: tuple[str, str, str, str, str, str]  # je, tu, il/elle, nous, vous, ils/elles
    subjects: tuple[str, ...]
    objects: tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    en: str
    fr: str
    person: int  # 1, 2 or 3
    plural: bool


def _n(en: str, en_pl: str, fr: str, fr_pl: str, gender: str, *tags: str) -> Noun:
    return Noun(en, en_pl, fr, fr_pl, gender, tags)


NOUNS: dict[str, Noun] = {
    n.en: n
    for n in (
        _n("course", "courses", "cours", "cours", "m", "course"),
        _n("book", "books", "livre", "livres", "m", "text", "thing", "good"),
        _n("film", "films", "film", "films", "m", "media", "good", "screen"),
        _n("song", "songs", "chanson", "chansons", "f", "media", "good"),
        _n("apple", "apples", "pomme", "pommes", "f", "food", "thing", "red"),
        _n("cake", "cakes", "gâteau", "gâteaux", "m", "food", "thing", "good"),
        _n("house", "houses", "maison", "maisons", "f", "thing", "colour"),
        _n("car", "cars", "voiture", "voitures", "f", "thing", "colour"),
        _n("letter", "letters", "lettre", "lettres", "f", "text", "thing"),
        _n("newspaper", "newspapers", "journal", "journaux", "m", "text", "thing"),
        _n("tree", "trees", "arbre", "arbres", "m", "place", "size"),
        _n("school", "schools", "école", "écoles", "f", "place", "size"),
        _n("cat", "cats", "chat", "chats", "m", "animal", "colour"),
        _n("dog", "dogs", "chien", "chiens", "m", "animal", "colour"),
        _n("bird", "birds", "oiseau", "oiseaux", "m", "animal", "colour"),
        _n("child", "children", "enfant", "enfants", "m", "person"),
        _n("man", "men", "homme", "hommes", "m", "person"),
        _n("woman", "women", "femme", "femmes", "f", "person"),
        _n("teacher", "teachers", "professeur", "professeurs", "m", "person"),
        _n("student", "students", "étudiant", "étudiants", "m", "person"),
    )
}

# fmt: off
ADJECTIVES: dict[str, Adjective] = {
    "big": Adjective("big", ("grand", "grande", "grands", "grandes"), True,
                     ("size", "colour", "person", "thing")),
    "small": Adjective("small", ("petit", "petite", "petits", "petites"), True,
                       ("size", "colour", "person", "thing")),
    "good": Adjective("good", ("bon", "bonne", "bons", "bonnes"), True, ("good", "course")),
    "red": Adjective("red", ("rouge", "rouge", "rouges", "rouges"), False,
                     ("colour", "text", "red")),
    "black": Adjective("black", ("noir", "noire", "noirs", "noires"), False, ("colour",)),
    "white": Adjective("white", ("blanc", "blanche", "blancs", "blanches"), False, ("colour",)),
}
# fmt: on

PRONOUNS: dict[str, tuple[str, int, bool]] = {
    "I": ("je", 1, False),
    "you": ("vous", 2, True),  # always the formal / plural "vous"
    "he": ("il", 3, False),
    "she": ("elle", 3, False),
    "we": ("nous", 1, True),
    "they": ("ils", 3, True),
}

_ANIMATE = ("person", "animal")
_ALL = ("course", "text", "media", "food", "thing", "place", "animal", "person")
# fmt: off
VERBS: dict[str, Verb] = {
    "like": Verb("like", "likes", ("aime", "aimes", "aime", "aimons", "aimez", "aiment"),
                 _ANIMATE, _ALL),
    "prefer": Verb("prefer", "prefers",
                   ("préfère", "préfères", "préfère", "préférons", "préférez", "préfèrent"),
                   ("person",), _ALL),
    "see": Verb("see", "sees", ("vois", "vois", "voit", "voyons", "voyez", "voient"),
                _ANIMATE, ("text", "food", "thing", "place", "animal", "person")),
    "have": Verb("have", "has", ("ai", "as", "a", "avons", "avez", "ont"),
                 _ANIMATE, ("course", "text", "food", "thing", "animal")),
    "eat": Verb("eat", "eats",
                ("mange", "manges", "mange", "mangeons", "mangez", "mangent"),
                _ANIMATE, ("food",)),
    "watch": Verb("watch", "watches",
                  ("regarde", "regardes", "regarde", "regardons", "regardez", "regardent"),
                  ("person",), ("screen", "place", "animal", "person")),
    "read": Verb("read", "reads", ("lis", "lis", "lit", "lisons", "lisez", "lisent"),
                 ("person",), ("text",)),
    "listen to": Verb("listen to", "listens to",
                      ("écoute", "écoutes", "écoute", "écoutons", "écoutez", "écoutent"),
                      _ANIMATE, ("media", "person")),
    "buy": Verb("buy", "buys",
                ("achète", "achètes", "achète", "achetons", "achetez", "achètent"),
                ("person",), ("text", "food", "thing")),
}
# fmt: on

_VOWELS = "aeiouyàâéèêëîïôû"
_H_MUET = ("homme", "hommes")


def _vowel(word: str) -> bool:
    return word[0] in _VOWELS or word in _H_MUET


def noun_phrase(noun: str, det: str, plural: bool = False, adjective: str = "") -> Phrase:
    """ "the / a / this" (+ adjective) + noun; French elision and agreement handled here."""
    n = NOUNS[noun]
    en_noun = n.en_pl if plural else n.en
    fr_noun = n.fr_pl if plural else n.fr
    words = [fr_noun]
    en_words = [en_noun]
    if adjective:
        adj = ADJECTIVES[adjective]
        form = adj.forms[(2 if plural else 0) + (n.gender == "f")]
        words = [form, fr_noun] if adj.before else [fr_noun, form]
        en_words = [adj.en, en_noun]
    nxt = words[0]
    if det == "the":
        en_det = "the"
        fr_det = "les" if plural else "l'" if _vowel(nxt) else "le" if n.gender == "m" else "la"
    elif det == "this":
        en_det = "these" if plural else "this"
        fr_det = "ces" if plural else "cette" if n.gender == "f" else "cet" if _vowel(nxt) else "ce"
    elif det == "a" and not plural:
        en_det = "an" if en_words[0][0] in "aeiou" else "a"
        fr_det = "une" if n.gender == "f" else "un"
    else:
        raise ValueError(f"unsupported determiner {det!r} (plural={plural})")
    fr = (fr_det + " ".join(words)) if fr_det == "l'" else " ".join([fr_det, *words])
    return Phrase(" ".join([en_det, *en_words]), fr, 3, plural)


def pronoun(en: str) -> Phrase:
    fr, person, plural = PRONOUNS[en]
    return Phrase(en, fr, person, plural)


def transitive(subj: Phrase, verb: str, obj: Phrase, a_lot: bool = False) -> Pair:
    """Subject + verb (+ "beaucoup") + object; "a lot" goes at the end in English."""
    v = VERBS[verb]
    en_verb = v.en_3sg if subj.person == 3 and not subj.plural else v.en
    fr_verb = v.forms[subj.person - 1 + (3 if subj.plural else 0)]
    fr_subj = subj.fr
    if fr_subj == "je" and _vowel(fr_verb):
        fr_subj, fr_verb = "j'" + fr_verb, ""
    en = " ".join(w for w in (subj.en, en_verb, obj.en, "a lot" if a_lot else "") if w)
    fr = " ".join(w for w in (fr_subj, fr_verb, "beaucoup" if a_lot else "", obj.fr) if w)
    return Pair(en[0].upper() + en[1:], fr[0].upper() + fr[1:])


def _phrases(tags: Iterable[str], pronouns: bool, adjectives: bool) -> list[Phrase]:
    """Noun phrases for nouns carrying one of ``tags`` (fixed order), optionally adjectival."""
    wanted = set(tags)
    out: list[Phrase] = [pronoun(p) for p in PRONOUNS] if pronouns else []
    for key in sorted(NOUNS):
        if not wanted.intersection(NOUNS[key].tags):
            continue
        adjs = [a for a in sorted(ADJECTIVES) if set(ADJECTIVES[a].tags) & set(NOUNS[key].tags)]
        for adj in adjs if adjectives else [""]:
            out += [noun_phrase(key, "the", False, adj), noun_phrase(key, "a", False, adj)]
            out += [noun_phrase(key, "this", False, adj), noun_phrase(key, "this", True, adj)]
            out.append(noun_phrase(key, "the", True, adj))
    return out


LECTURE: tuple[Pair, ...] = (
    Pair("You like this course", "Vous aimez ce cours"),
    Pair("I like this course", "J'aime ce cours"),
    Pair("We like this book", "Nous aimons ce livre"),
    Pair("I have a cat", "J'ai un chat"),
)


def required() -> list[Pair]:
    """Ingredient sentences that must be in the data so the lecture can be generalised."""
    i, you, we = pronoun("I"), pronoun("you"), pronoun("we")
    course, book = noun_phrase("course", "this"), noun_phrase("book", "this")
    return [
        transitive(you, "like", noun_phrase("film", "this")),
        transitive(you, "like", noun_phrase("song", "the")),
        transitive(you, "like", book),
        transitive(you, "like", noun_phrase("cat", "a")),
        transitive(you, "have", course),
        transitive(you, "like", course, a_lot=True),
        transitive(i, "like", book),
        transitive(i, "like", noun_phrase("film", "this")),
        transitive(i, "like", noun_phrase("apple", "the")),
        transitive(i, "have", noun_phrase("dog", "a")),
        transitive(i, "have", course),
        transitive(i, "see", noun_phrase("cat", "a")),
        transitive(i, "like", course, a_lot=True),
        transitive(we, "like", course),
        transitive(we, "like", noun_phrase("film", "this")),
        transitive(we, "read", book),
        transitive(pronoun("she"), "like", course),
        transitive(pronoun("they"), "like", course),
        transitive(pronoun("he"), "have", noun_phrase("cat", "a")),
        transitive(noun_phrase("student", "the", True), "like", course),
        transitive(noun_phrase("cat", "the"), "like", noun_phrase("film", "this")),
        transitive(noun_phrase("teacher", "the"), "like", book),
    ]


# Sentences drawn per verb: plain, adjective on the object, adjective on the subject.
_PER_VERB = (230, 60, 40)
_A_LOT = 100


def _draw(rng: random.Random, subjects: list[Phrase], objects: list[Phrase], k: int) -> list[int]:
    total = len(subjects) * len(objects)
    return sorted(rng.sample(range(total), min(k, total)))


def generate(rng: random.Random) -> list[Pair]:
    """Draw the corpus: sampled sentences of every pattern plus :func:`required`, sorted."""
    pairs: list[Pair] = []
    for key in sorted(VERBS):
        v = VERBS[key]
        plain_s, adj_s = _phrases(v.subjects, True, False), _phrases(v.subjects, False, True)
        plain_o, adj_o = _phrases(v.objects, False, False), _phrases(v.objects, False, True)
        for (subjects, objects), k in zip(
            ((plain_s, plain_o), (plain_s, adj_o), (adj_s, plain_o)), _PER_VERB, strict=True
        ):
            for i in _draw(rng, subjects, objects, k):
                pairs.append(
                    transitive(subjects[i // len(objects)], key, objects[i % len(objects)])
                )
        if key == "like":
            for i in _draw(rng, plain_s, plain_o, _A_LOT):
                s, o = plain_s[i // len(plain_o)], plain_o[i % len(plain_o)]
                pairs.append(transitive(s, key, o, a_lot=True))
    pairs = [Pair(p.source + ".", p.target + ".") if rng.random() < 0.2 else p for p in pairs]
    return sorted(set(pairs + required()), key=lambda p: (p.source, p.target))
