"""Tests for core.corpus and the en-de / en-fr grammars.

The grammar checks use their own small tables of German / French genders, plurals and verb
forms (not the generator's lexicon), so a wrong entry in the generator makes them fail.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from core import grammar_de as de
from core import grammar_fr as fr
from core.builtin_corpus import builtin_corpus, builtin_pairs
from core.corpus import (
    Corpus,
    CorpusError,
    Pair,
    load_tsv,
    sentence_key,
)


def _w(text: str) -> set[str]:
    return set(text.split())


# --- independent German knowledge ---------------------------------------------------------
DE_GENDER = {
    "Hund": "m", "Katze": "f", "Vogel": "m", "Pferd": "n", "Kind": "n", "Mann": "m",
    "Frau": "f", "Pfeil": "m", "Flugzeug": "n", "Fluss": "m", "Apfel": "m", "Banane": "f",
    "Ei": "n", "Buch": "n", "Brief": "m", "Zeitung": "f", "Haus": "n", "Ball": "m",
    "Baum": "m", "Auto": "n", "Fruchtfliege": "f", "Zeit": "f", "Fisch": "m",
}  # fmt: skip
DE_PLURALS = {
    "Hunde", "Katzen", "Vögel", "Pferde", "Kinder", "Männer", "Frauen", "Pfeile", "Flugzeuge",
    "Flüsse", "Äpfel", "Bananen", "Eier", "Bücher", "Briefe", "Zeitungen", "Häuser", "Bälle",
    "Bäume", "Autos", "Fruchtfliegen",
}  # fmt: skip
DE_ARTICLES = {
    ("nom", "m"): {"der", "ein"}, ("nom", "f"): {"die", "eine"}, ("nom", "n"): {"das", "ein"},
    ("acc", "m"): {"den", "einen"}, ("acc", "f"): {"die", "eine"}, ("acc", "n"): {"das", "ein"},
}  # fmt: skip
_STEMS_3SG = "sieht isst liest schreibt hat mag kauft fliegt läuft schläft schwimmt vergeht"
DE_VERB_FORMS = {
    "ich": _w("sehe esse lese schreibe habe mag kaufe fliege laufe schlafe schwimme"),
    "du": _w("siehst isst liest schreibst hast magst kaufst fliegst läufst schläfst")
    | {"schwimmst"},
    "3sg": _w(_STEMS_3SG),
    "pl": _w("sehen essen lesen schreiben haben mögen kaufen fliegen laufen schlafen schwimmen")
    | {"vergehen"},
}
EN_PERSON = {"I": "ich", "You": "du", "He": "3sg", "She": "3sg", "It": "3sg", "We": "pl"}
EN_PERSON["They"] = "pl"

# --- independent French knowledge ---------------------------------------------------------
FR_NOUNS: dict[str, tuple[str, bool | None]] = {  # form -> (gender, plural or None)
    "cours": ("m", None),  # same form in the singular and the plural
    **{n: ("m", False) for n in _w("livre film gâteau journal arbre chat chien")},
    **{n: ("m", False) for n in _w("oiseau enfant homme professeur étudiant")},
    **{n: ("f", False) for n in _w("chanson pomme maison voiture lettre école femme")},
    **{n: ("m", True) for n in _w("livres films gâteaux journaux arbres chats chiens")},
    **{n: ("m", True) for n in _w("oiseaux enfants hommes professeurs étudiants")},
    **{n: ("f", True) for n in _w("chansons pommes maisons voitures lettres écoles")},
    **{n: ("f", True) for n in _w("femmes")},
}
FR_ADJ: dict[str, tuple[str | None, bool]] = {  # form -> (gender or None for both, plural)
    "grand": ("m", False), "grande": ("f", False), "grands": ("m", True), "grandes": ("f", True),
    "petit": ("m", False), "petite": ("f", False), "petits": ("m", True), "petites": ("f", True),
    "bon": ("m", False), "bonne": ("f", False), "bons": ("m", True), "bonnes": ("f", True),
    "noir": ("m", False), "noire": ("f", False), "noirs": ("m", True), "noires": ("f", True),
    "blanc": ("m", False), "blanche": ("f", False), "blancs": ("m", True),
    "blanches": ("f", True), "rouge": (None, False), "rouges": (None, True),
}  # fmt: skip
FR_DET: dict[str, tuple[str | None, bool]] = {
    "le": ("m", False),
    "la": ("f", False),
    "un": ("m", False),
    "une": ("f", False),
}
FR_DET |= {"ce": ("m", False), "cet": ("m", False), "cette": ("f", False)}
FR_DET |= {"les": (None, True), "ces": (None, True), "l'": (None, False)}
FR_VERBS = {
    "je": _w("aime préfère vois ai mange regarde lis écoute achète"),
    "3sg": _w("aime préfère voit a mange regarde lit écoute achète"),
    "nous": _w("aimons préférons voyons avons mangeons regardons lisons écoutons") | {"achetons"},
    "vous": _w("aimez préférez voyez avez mangez regardez lisez écoutez achetez"),
    "3pl": _w("aiment préfèrent voient ont mangent regardent lisent écoutent") | {"achètent"},
}
FR_PERSON = {"I": "je", "You": "vous", "He": "3sg", "She": "3sg", "We": "nous", "They": "3pl"}


def german_errors(pair: Pair) -> list[str]:
    """Article/case, plural spelling and subject-verb agreement errors in one en-de pair."""
    words = pair.target.rstrip(".").split()
    errors = []
    for i, word in enumerate(words):
        if word[0].isupper() and i > 0 and word not in DE_GENDER and word not in DE_PLURALS:
            errors.append(f"unknown noun form {word!r}")
        if word in DE_GENDER and i > 0:
            case = "nom" if i == 1 or (i > 1 and words[i - 2] == "wie") else "acc"
            if words[i - 1].lower() not in DE_ARTICLES[case, DE_GENDER[word]]:
                errors.append(f"{words[i - 1]} {word} is not {case} {DE_GENDER[word]}")
        if word in DE_PLURALS and i > 0 and words[i - 1].lower() in {"der", "das", "den", "ein"}:
            errors.append(f"singular article before plural {word!r}")
    first = pair.source.split()[0]
    if first in EN_PERSON:
        person = EN_PERSON[first]
    else:
        noun = words[0] if words[0] in DE_PLURALS else words[1]
        person = "3sg" if noun in DE_GENDER else "pl"
        words = words[1:] if words[0] in DE_PLURALS else words[2:]
    verb = words[1] if first in EN_PERSON else words[0]
    if verb not in DE_VERB_FORMS[person]:
        errors.append(f"verb {verb!r} does not agree with a {person} subject")
    return errors


def french_errors(pair: Pair) -> list[str]:
    """Determiner/adjective agreement, elision and subject-verb agreement errors."""
    text = pair.target.rstrip(".")
    errors = [
        f"missing elision: {m.group()!r}"
        for m in re.finditer(r"\b(?:[JjLl]e|[Ll]a|[Cc]e) [aeiouéèh]", text)
    ]
    errors += [f"bad 'cet': {m.group()!r}" for m in re.finditer(r"\b[Cc]et [^aeiouéèh]", text)]
    words = text.replace("'", "' ").lower().split()
    for i, word in enumerate(words):
        if word in FR_DET:
            noun = words[i + 1] if words[i + 1] in FR_NOUNS else words[i + 2]
            gender, plural = FR_DET[word]
            if gender not in (None, FR_NOUNS[noun][0]) or FR_NOUNS[noun][1] not in (None, plural):
                errors.append(f"{word!r} does not agree with {noun!r}")
        if word in FR_ADJ:
            noun = (
                words[i + 1] if words[i + 1 : i + 2] and words[i + 1] in FR_NOUNS else words[i - 1]
            )
            gender, plural = FR_ADJ[word]
            if gender not in (None, FR_NOUNS[noun][0]) or FR_NOUNS[noun][1] not in (None, plural):
                errors.append(f"{word!r} does not agree with {noun!r}")
    first = pair.source.split()[0]
    if first in FR_PERSON:
        person = FR_PERSON[first]
    else:
        nouns = [w for w in words if w in FR_NOUNS]
        person = "3pl" if FR_NOUNS[nouns[0]][1] else "3sg"
    verb = next(w for w in words if any(w in forms for forms in FR_VERBS.values()))
    if verb not in FR_VERBS[person]:
        errors.append(f"verb {verb!r} does not agree with a {person} subject")
    return errors


def _all(corpus: Corpus) -> tuple[Pair, ...]:
    return corpus.train + corpus.valid


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+'|\w+|[^\w\s]", text.lower()))


@pytest.fixture(scope="module", params=["en-de", "en-fr"])
def corpus(request: pytest.FixtureRequest) -> Corpus:
    return builtin_corpus(request.param)


# --- builtin corpora: structure -----------------------------------------------------------
def test_builtin_pairs_and_unknown_name() -> None:
    assert builtin_pairs() == ("en-de", "en-fr")
    with pytest.raises(CorpusError, match="en-de, en-fr"):
        builtin_corpus("en-es")


@pytest.mark.parametrize("name", ["en-de", "en-fr"])
def test_deterministic_per_seed(name: str) -> None:
    assert builtin_corpus(name, seed=3) == builtin_corpus(name, seed=3)
    assert builtin_corpus(name, seed=0).train != builtin_corpus(name, seed=1).train


def test_size_and_split(corpus: Corpus) -> None:
    total = len(_all(corpus))
    assert 1500 <= total <= 4000
    assert 0.05 * total <= len(corpus.valid) <= 0.15 * total
    assert len(set(corpus.train)) == len(corpus.train)
    train_keys = {sentence_key(p.source) for p in corpus.train}
    assert not train_keys & {sentence_key(p.source) for p in corpus.valid}


def test_vocabulary_is_small(corpus: Corpus) -> None:
    src = set().union(*(_tokens(p.source) for p in _all(corpus)))
    tgt = set().union(*(p.target.split() for p in _all(corpus)))
    assert 60 <= len(src) <= 250
    assert 60 <= len(tgt) <= 250


def test_each_source_has_one_translation(corpus: Corpus) -> None:
    seen: dict[str, str] = {}
    for p in _all(corpus):
        assert seen.setdefault(sentence_key(p.source), sentence_key(p.target)) == sentence_key(
            p.target
        ), p


def test_sentences_are_capitalised_and_some_end_with_a_period(corpus: Corpus) -> None:
    pairs = _all(corpus)
    assert all(p.source[0].isupper() and p.target[0].isupper() for p in pairs)
    assert all(p.source.endswith(".") == p.target.endswith(".") for p in pairs)
    dotted = sum(p.source.endswith(".") for p in pairs) / len(pairs)
    assert 0.1 < dotted < 0.3


def test_lecture_is_held_out_and_its_words_are_known(corpus: Corpus) -> None:
    assert 3 <= len(corpus.lecture) <= 6
    keys = {sentence_key(p.source) for p in corpus.lecture}
    keys |= {sentence_key(p.target) for p in corpus.lecture}
    for p in _all(corpus):
        assert sentence_key(p.source) not in keys and sentence_key(p.target) not in keys, p
    src = set().union(*(_tokens(p.source) for p in corpus.train))
    tgt = set().union(*(_tokens(p.target) for p in corpus.train))
    for p in corpus.lecture:
        assert _tokens(p.source) <= src and _tokens(p.target) <= tgt, p


def test_lecture_sentences_exact() -> None:
    assert de.LECTURE[:2] == (
        Pair("Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"),
        Pair("Fruit flies like a banana", "Fruchtfliegen mögen eine Banane"),
    )
    assert fr.LECTURE[:2] == (
        Pair("You like this course", "Vous aimez ce cours"),
        Pair("I like this course", "J'aime ce cours"),
    )
    assert builtin_corpus("en-de").lecture == de.LECTURE


# --- German -------------------------------------------------------------------------------
def test_german_checker_catches_errors() -> None:
    assert german_errors(Pair("The cat likes an apple", "Die Katze mag ein Apfel"))
    assert german_errors(Pair("The cat sees the dog", "Die Katze sieht der Hund"))
    assert german_errors(Pair("I see the dog", "Ich sieht den Hund"))
    assert german_errors(Pair("Dogs like a banana", "Hunde mag eine Banane"))
    assert german_errors(Pair("The bird flies like an arrow", "Der Vogel fliegt wie einen Pfeil"))
    assert not german_errors(Pair("The bird flies like an arrow", "Der Vogel fliegt wie ein Pfeil"))


def test_german_grammar_of_every_pair(corpus_de: Corpus) -> None:
    for p in _all(corpus_de) + corpus_de.lecture:
        assert not german_errors(p), (p, german_errors(p))
    targets = " ".join(p.target for p in _all(corpus_de))
    for bad in ("mag ein Apfel", "sieht der Hund", "mag der Hund", "Ich mag den Äpfel"):
        assert bad not in targets


def test_english_articles(corpus: Corpus) -> None:
    for p in _all(corpus):
        words = p.source.lower().rstrip(".").split()
        for word, nxt in itertools.pairwise(words):
            if word in ("a", "an"):
                assert (word == "an") == (nxt[0] in "aeiou"), p


def test_german_generator_builds_lecture_and_known_pairs() -> None:
    np, the, a = de.noun_phrase, "the", "a"
    assert de.intransitive(de.TIME, "fly", like=np("arrow", a)) == de.LECTURE[0]
    assert de.transitive(np("fruit fly", "", True), "like", np("banana", a)) == de.LECTURE[1]
    assert de.transitive(np("dog", the), "see", np("cat", the)) == de.LECTURE[2]
    assert de.transitive(np("child", the, True), "like", np("apple", a)) == de.LECTURE[3]
    assert de.transitive(np("woman", the), "read", np("book", a)) == de.LECTURE[4]
    assert de.transitive(de.pronoun("you"), "eat", np("egg", a), "quickly") == Pair(
        "You eat an egg quickly", "Du isst ein Ei schnell"
    )
    assert de.intransitive(de.pronoun("they"), "run", "slowly") == Pair(
        "They run slowly", "Sie laufen langsam"
    )
    assert de.transitive(de.pronoun("she"), "like", np("man", the, True)) == Pair(
        "She likes the men", "Sie mag die Männer"
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_german_ingredients_in_train(seed: int) -> None:
    train = set(builtin_corpus("en-de", seed).train)
    for source, target in [
        ("The bird flies like an arrow", "Der Vogel fliegt wie ein Pfeil"),
        ("Time flies like a bird", "Die Zeit fliegt wie ein Vogel"),
        ("The plane flies like a bird", "Das Flugzeug fliegt wie ein Vogel"),
        ("Time runs like a river", "Die Zeit läuft wie ein Fluss"),
        ("Time flies quickly", "Die Zeit fliegt schnell"),
        ("Dogs like a banana", "Hunde mögen eine Banane"),
        ("The cat likes an apple", "Die Katze mag einen Apfel"),
        ("I like the dog", "Ich mag den Hund"),
        ("Fruit flies eat a banana", "Fruchtfliegen essen eine Banane"),
        ("Fruit flies like an apple", "Fruchtfliegen mögen einen Apfel"),
    ]:
        assert Pair(source, target) in train
    sources = [p.source.rstrip(".") for p in train]
    assert any(s.endswith("flies like an arrow") and not s.startswith("Time") for s in sources)
    assert sum(s.startswith("Time flies") for s in sources) >= 3
    assert sum(s.startswith("Fruit flies like") for s in sources) >= 2
    assert sum(s.endswith("like an arrow") for s in sources) >= 5
    assert len({s.split()[1] for s in sources if s.startswith("Time ")}) >= 3  # several verbs


# --- French -------------------------------------------------------------------------------
def test_french_checker_catches_errors() -> None:
    assert french_errors(Pair("I like this course", "Je aime ce cours"))
    assert french_errors(Pair("I like the tree", "J'aime le arbre"))
    assert french_errors(Pair("I like this tree", "J'aime ce arbre"))
    assert french_errors(Pair("You like the red car", "Vous aimez la voiture rouges"))
    assert french_errors(Pair("We like the black car", "Nous aimons la voiture noir"))
    assert french_errors(Pair("They see this song", "Ils voit cette chanson"))
    assert not french_errors(Pair("I like this big tree", "J'aime ce grand arbre"))


def test_french_grammar_of_every_pair(corpus_fr: Corpus) -> None:
    for p in _all(corpus_fr) + corpus_fr.lecture:
        assert not french_errors(p), (p, french_errors(p))
        if p.source.startswith("You like"):
            assert p.target.startswith("Vous aimez"), p
        if p.source.startswith("I like"):
            assert p.target.startswith("J'aime"), p
        assert not re.search(r"\b[Jj]e (?:a|ai|aime)\b", p.target), p


def test_french_generator_builds_lecture_and_known_pairs() -> None:
    np, i = fr.noun_phrase, fr.pronoun("I")
    assert fr.transitive(fr.pronoun("you"), "like", np("course", "this")) == fr.LECTURE[0]
    assert fr.transitive(i, "like", np("course", "this")) == fr.LECTURE[1]
    assert fr.transitive(fr.pronoun("we"), "like", np("book", "this")) == fr.LECTURE[2]
    assert fr.transitive(i, "have", np("cat", "a")) == fr.LECTURE[3]
    assert fr.transitive(i, "see", np("tree", "this")) == Pair(
        "I see this tree", "Je vois cet arbre"
    )
    assert np("tree", "this", adjective="big").fr == "ce grand arbre"
    assert np("school", "the").fr == "l'école"
    assert np("car", "the", True, "white") == fr.Phrase(
        "the white cars", "les voitures blanches", 3, True
    )
    assert np("apple", "a", adjective="red").en == "a red apple"
    assert fr.transitive(i, "listen to", np("song", "this")) == Pair(
        "I listen to this song", "J'écoute cette chanson"
    )
    assert fr.transitive(fr.pronoun("you"), "like", np("film", "the"), a_lot=True) == Pair(
        "You like the film a lot", "Vous aimez beaucoup le film"
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_french_ingredients_in_train(seed: int) -> None:
    train = [p.source.rstrip(".") for p in builtin_corpus("en-fr", seed).train]
    assert Pair("You like this film", "Vous aimez ce film") in builtin_corpus("en-fr", seed).train
    assert sum(s.startswith("You like") and s != "You like this course" for s in train) >= 5
    assert sum(s.startswith("I like") and "this course" not in s for s in train) >= 3
    course = [s for s in train if s.endswith("this course")]
    assert len({s.split()[0] for s in course}) >= 4  # "this course" after several subjects
    assert any(s.startswith("We like") for s in train)


# --- TSV ----------------------------------------------------------------------------------
def _write(tmp_path: Path, data: bytes, name: str = "my-pairs.tsv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_tsv_loads_bom_blank_lines_extra_columns(tmp_path: Path) -> None:
    lines = [f"Sentence {i}\tSatz {i}\tCC-BY {i}" for i in range(20)]
    text = "\ufeff" + "\r\n".join(lines[:5]) + "\n\n   \n" + "\n".join(lines[5:]) + "\n"
    path = _write(tmp_path, text.encode("utf-8"))
    corpus = load_tsv(path, seed=1)
    assert corpus.name == "my-pairs" and corpus.lecture == ()
    assert len(corpus.train) == 18 and len(corpus.valid) == 2
    pairs = set(_all(corpus))
    assert pairs == {Pair(f"Sentence {i}", f"Satz {i}") for i in range(20)}
    assert load_tsv(str(path), seed=1) == corpus
    assert load_tsv(path, seed=2).train != corpus.train


def test_tsv_small_file_has_no_valid_split(tmp_path: Path) -> None:
    corpus = load_tsv(_write(tmp_path, "  Hi \t Hallo \nBye\tTschüss\n".encode()))
    assert set(corpus.train) == {Pair("Hi", "Hallo"), Pair("Bye", "Tschüss")}
    assert corpus.valid == ()


@pytest.mark.parametrize(
    "bad", ["no tab here", "source only\t", "\ttarget only", "only source \t  "]
)
def test_tsv_malformed_line(tmp_path: Path, bad: str) -> None:
    path = _write(tmp_path, f"Hi\tHallo\n\n{bad}\nBye\tTschüss\n".encode())
    with pytest.raises(CorpusError, match="expected 'source<TAB>target'") as info:
        load_tsv(path)
    assert f"{path}:3:" in str(info.value) and "\n" not in str(info.value)


def test_tsv_long_bad_line_is_truncated(tmp_path: Path) -> None:
    path = _write(tmp_path, ("x" * 500 + "\n").encode())
    with pytest.raises(CorpusError) as info:
        load_tsv(path)
    assert len(str(info.value)) < len(str(path)) + 100


def test_tsv_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="corpus file not found"):
        load_tsv(tmp_path / "nope.tsv")
    with pytest.raises(CorpusError, match="directory"):
        load_tsv(tmp_path)


def test_tsv_invalid_utf8_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b"Hi\tHallo\nGreen\tGr\xfcn\n")
    with pytest.raises(CorpusError, match=r":2: not valid UTF-8"):
        load_tsv(path)


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_tsv_without_pairs(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(CorpusError, match="no sentence pairs"):
        load_tsv(_write(tmp_path, data))


def test_tsv_bad_valid_fraction(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="valid_fraction"):
        load_tsv(_write(tmp_path, b"a\tb\n"), valid_fraction=1.0)
