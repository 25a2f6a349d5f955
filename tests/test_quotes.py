"""Quotations and speakers: the real article against a hand-made list, tiny texts for the rules,
and the QuoteBook (real model) for lookups, ranking and key quotes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.ingest import load_articles
from index.quotes import QuoteBook, UnknownSpeaker, extract_quotes, quotation_spans, split_speaker_query
from index.schema import Passage, Quote, Speaker
from index.speakers import detect_people, resolve_speaker

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((ROOT / "tests" / "data" / "quotes_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def passages():
    _, found, _ = load_articles(ROOT / "seeds")
    return found


@pytest.fixture(scope="module")
def quotes(passages):
    return extract_quotes(passages)


@pytest.fixture(scope="module")
def book(engine):
    return QuoteBook.build(engine.article, engine)


def _p(pid: int, kind: str, text: str, section: str = "S") -> Passage:
    return Passage(id=pid, article_id="t", kind=kind, section=section, text=text)


def _said(quotes, kind="direct"):
    return [(q.passage_id, q.text, q.speaker_name) for q in quotes if q.kind == kind]


# ---- the real article ---------------------------------------------------------------------
def test_every_direct_quotation_found_with_its_speaker(quotes):
    expected = [(d["passage_id"], d["text"], d["speaker"]) for d in EXPECTED["direct"]]
    assert _said(quotes) == expected  # no missing, no extra, same order and speakers


def test_every_quotation_is_verbatim(passages, quotes):
    by_id = {p.id: p for p in passages}
    assert quotes
    for q in quotes:
        assert by_id[q.passage_id].text[q.start : q.end] == q.text
        assert q.text == q.text.strip() and q.text[0] not in "\"„“»«" and q.text[-1] not in "\"“”»«"


def test_names_and_titles_are_not_speech(quotes):
    for term in EXPECTED["not_direct"]:
        matching = [q for q in quotes if q.passage_id == term["passage_id"] and q.text == term["text"]]
        assert matching, term
        assert all(q.kind == "term" and q.speaker is None for q in matching)


def test_reported_speech_is_reported_never_direct(quotes):
    direct_texts = [q.text for q in quotes if q.kind == "direct"]
    for rep in EXPECTED["reported"]:
        assert not any(rep["text"] in t for t in direct_texts), rep
        found = [q for q in quotes if q.kind == "reported" and q.passage_id == rep["passage_id"] and rep["text"] in q.text]
        assert found and found[0].speaker_name == rep["speaker"], rep


def test_people_of_the_article(passages):
    names = [s.name for s in detect_people(passages)]
    assert sorted(names) == sorted(EXPECTED["persons"])


# ---- extraction rules on tiny texts ---------------------------------------------------------
def test_marks_nesting_and_apostrophes():
    text = "Er sagte: „Das ist ‚unser‘ Moment.“ Trump's Plan, geht’s noch? »Nein«, sagte sie. «Oui», so er."
    inner = [text[s.start : s.end] for s in quotation_spans(text)]
    assert inner == ["Das ist ‚unser‘ Moment.", "Nein", "Oui"]


def test_explicit_markers_roles_and_continuation():
    ps = [
        _p(1, "title", "Gipfel in Helsinki", section="Gipfel in Helsinki"),
        _p(2, "lead", "Die finnische Außenministerin Elina Valtonen hat vor Russland gewarnt."),
        _p(3, "paragraph", "»Wir sind bereit«, sagte Valtonen am Montag. Der dänische Regierungschef Lars Jensen schwieg lange."),
        _p(4, "paragraph", "Dann erklärte er, die Lage sei ernst. Man habe keine Zeit. \"Wir handeln jetzt\", so Jensen."),
        _p(5, "caption", "Elina Valtonen in Helsinki"),
        _p(6, "paragraph", "„Und das ist erst der Anfang“, sagte die Ministerin. Sie betonte: „Europa muss ‚jetzt‘ handeln."),
        _p(7, "paragraph", "„Daran gibt es keinen Zweifel.“"),
        _p(8, "heading", "Stimmen aus dem Publikum", section="Stimmen aus dem Publikum"),
        _p(9, "paragraph", "„Das ist Unsinn“, rief ein Zuschauer. Das Wort „Zeitenwende“ fiel oft."),
        _p(10, "paragraph", "„Wir warten ab.“"),
    ]
    quotes = extract_quotes(ps)
    assert _said(quotes) == [
        (3, "Wir sind bereit", "Elina Valtonen"),
        (4, "Wir handeln jetzt", "Lars Jensen"),
        (6, "Und das ist erst der Anfang", "Elina Valtonen"),  # "die Ministerin" -> the Außenministerin
        (6, "Europa muss ‚jetzt‘ handeln.", "Elina Valtonen"),  # "Sie betonte:", nested marks kept
        (7, "Daran gibt es keinen Zweifel.", "Elina Valtonen"),  # her statement goes on in the next paragraph
        (9, "Das ist Unsinn", ""),  # "ein Zuschauer" is nobody we know
        (10, "Wir warten ab.", ""),  # a heading ended every statement; do not guess
    ]
    assert [(q.passage_id, q.text) for q in quotes if q.kind == "term"] == [(9, "Zeitenwende")]
    assert _said(quotes, "reported") == [(4, "die Lage sei ernst.", "Lars Jensen"), (4, "Man habe keine Zeit.", "Lars Jensen")]


@pytest.mark.parametrize(
    "text, kind, speaker",
    [
        ('Merz sagte, das sei "völlig inakzeptabel".', "direct", "Friedrich Merz"),  # a fragment of his words
        ('Rutte nannte das "eine Schande".', "direct", "Mark Rutte"),
        ('Merz sagte "Nein" und ging.', "direct", "Friedrich Merz"),
        ('Die neue "Nationale Sicherheitsstrategie" wirkt.', "term", ""),  # a document
        ('Merz sprach von der "Zeitenwende".', "term", ""),  # a quoted noun, even after a speech verb
        ('Die Zeitung "Helsingin Sanomat" berichtete.', "term", ""),
        ('Rutte kam "überraschend früh" an.', "term", ""),  # a scare quote: no speech verb
    ],
)
def test_speech_or_term(text, kind, speaker):
    quotes = extract_quotes([_p(1, "paragraph", text)], speakers=[resolve_speaker("Merz"), resolve_speaker("Rutte")])
    assert [(q.kind, q.speaker_name) for q in quotes if q.kind != "reported"] == [(kind, speaker)]


def test_reported_speech_with_konjunktiv_is_not_direct():
    quotes = extract_quotes([_p(1, "paragraph", "Rutte sagte, Russland sei eine Gefahr für ganz Europa.")],
                            speakers=[resolve_speaker("Rutte")])
    assert _said(quotes) == []
    assert _said(quotes, "reported") == [(1, "Russland sei eine Gefahr für ganz Europa.", "Mark Rutte")]


def test_shared_role_goes_to_the_one_named_last():
    text = ("US-Präsident Donald Trump traf Frankreichs Präsident Emmanuel Macron. "
            "„Wir sind uns einig“, sagte der Präsident danach.")
    quotes = extract_quotes([_p(1, "paragraph", text)], speakers=[resolve_speaker("Trump"), resolve_speaker("Macron")])
    assert _said(quotes) == [(1, "Wir sind uns einig", "Emmanuel Macron")]


def test_people_detected_without_the_table():
    people = detect_people([_p(1, "paragraph", "Die finnische Außenministerin Elina Valtonen sprach mit Lars Jensen. Jensen nickte.")])
    found = {s.name: s for s in people}
    assert set(found) == {"Elina Valtonen", "Lars Jensen"}
    assert "finnische Außenministerin" in found["Elina Valtonen"].aliases


# ---- speakers and aliases -----------------------------------------------------------------
@pytest.mark.parametrize(
    "name, key",
    [
        ("Rutte", "mark-rutte"), ("mark rutte", "mark-rutte"), ("RÜTTE", "mark-rutte"), ("Рютте", "mark-rutte"),
        ("NATO-Generalsekretär", "mark-rutte"), ("der frühere niederländische Regierungschef", "mark-rutte"),
        ("Merz", "friedrich-merz"), ("Мерц", "friedrich-merz"), ("der Kanzler", "friedrich-merz"),
        ("Bundeskanzler", "friedrich-merz"), ("Selenskyj", "wolodymyr-selenskyj"), ("Zelensky", "wolodymyr-selenskyj"),
        ("zelenskyy", "wolodymyr-selenskyj"), ("Зеленський", "wolodymyr-selenskyj"), ("Зеленский", "wolodymyr-selenskyj"),
        ("Путин", "wladimir-putin"), ("Путін", "wladimir-putin"), ("Vladimir Putin", "wladimir-putin"),
        ("Трамп", "donald-trump"), ("US-Präsident", "donald-trump"), ("Macron", "emmanuel-macron"),
    ],
)
def test_resolve_speaker(book, name, key):
    assert resolve_speaker(name).key == key
    assert book.resolve(name).key == key


@pytest.mark.parametrize("name", ["Präsident", "Scholz", "", "   ", "NATO"])
def test_resolve_speaker_nobody(book, name):
    assert resolve_speaker(name) is None
    assert book.resolve(name) is None


def test_speaker_aliases_cover_roles_and_scripts(book):
    rutte = book.resolve("Rutte")
    assert rutte.name == "Mark Rutte" and rutte.role
    assert {"Rutte", "NATO-Generalsekretär", "NATO-Chef", "Рютте"} <= set(rutte.aliases)
    assert sorted(s.name for s in book.speakers) == sorted(EXPECTED["persons"])


# ---- the quote book -----------------------------------------------------------------------
def test_find_by_speaker_in_article_order_without_the_headline_echo(book):
    rutte = book.find(speaker="Rutte")
    assert [q.passage_id for q in rutte] == [5, 20, 21]
    assert all(q.kind == "direct" and q.speaker_name == "Mark Rutte" for q in rutte)
    assert len(book.find(speaker="Merz", limit=2)) == 2
    assert {q.passage_id for q in book.quotes if q.kind == "direct"} >= {1, 20}  # the echo is still extracted


@pytest.mark.parametrize("name", EXPECTED["without_quotes"] + ["Зеленський", "Трамп"])
def test_person_without_quotes_gets_an_empty_list(book, name):
    assert book.find(speaker=name) == []


def test_unknown_speaker_raises(book):
    with pytest.raises(UnknownSpeaker, match="Scholz"):
        book.find(speaker="Scholz")


@pytest.mark.parametrize(
    "speaker, query, passage_id",
    [
        ("Merz", "Waffenstillstand für die Ukraine", 8),
        ("Мерц", "Verhandlungslösung europäische Sicherheitsinteressen", 10),
        ("Merz", "eine andere Zeit, eine neue Welt", 6),
        ("Rutte", "Russland greift Europa an", 20),
        ("Rutte", "Verpflichtung der USA gegenüber der NATO", 5),
        ("Rutte", "Dringlichkeit wird unterschätzt", 21),
    ],
)
def test_find_ranks_the_topical_quote_first(book, speaker, query, passage_id):
    found = book.find(speaker=speaker, query=query)
    assert found[0].passage_id == passage_id
    assert len(found) == len(book.find(speaker=speaker))


@pytest.mark.parametrize(
    "speaker, topic, first, matches",
    [
        ("Rutte", "Waffenstillstand", None, False),  # the example: no Rutte quotation is about it
        ("Merz", "Waffenstillstand", 8, True),
        ("Rutte", "Dringlichkeit", 21, True),
        ("Rutte", "Pizza", None, False),
        ("Merz", "Bedrohung", None, False),  # the fragment „über die Pläne“ is close to everything
        ("Merz", "Pläne", 18, True),  # ... but matches when it has the topic's word
    ],
)
def test_rank_tells_which_quotations_match_the_topic(book, speaker, topic, first, matches):
    ranked = book.rank(speaker, topic, limit=10)
    assert ranked.any_match is matches and len(ranked.matches) == len(ranked.quotes)
    assert list(ranked.quotes) == book.find(speaker, topic, 10)
    if matches:
        assert ranked.quotes[0].passage_id == first and ranked.matches[0]


class _Embed:
    """Query vectors by text (a fake of Engine.embed_queries)."""

    def __init__(self, vectors: dict[str, list[float]]):
        self.vectors = vectors

    def __call__(self, texts):
        return np.asarray([self.vectors[t] for t in texts], dtype=np.float32)


def _unit(*xs: float) -> list[float]:
    v = np.asarray(xs, dtype=np.float32)
    return list(v / np.linalg.norm(v))


def test_rank_matches_only_above_the_background_level_and_fragments_only_with_a_topic_word():
    speaker = Speaker("ann", "Ann A")
    quotes = [Quote("Wir wollen einen langen Frieden jetzt", 1, 0, 36, "direct", speaker),
              Quote("über die Pläne", 2, 0, 14, "direct", speaker)]
    vectors = np.asarray([_unit(1, 0.2, 0), _unit(0.9, 0.4, 0)], dtype=np.float32)
    embed = _Embed({"Frieden": _unit(1, 0, 0), "Wetter": _unit(0, 0, 1), "Pläne": _unit(0.9, 0.4, 0.1)})
    background = np.asarray([_unit(0.2, 0.2, 1), _unit(0.5, 0, 0.5)], dtype=np.float32)
    book = QuoteBook(quotes, [speaker], vectors, embed, background=background)
    peace = book.rank(speaker, "Frieden")
    assert peace.matches == (True, False)  # the fragment is close too, but without the word
    assert not book.rank(speaker, "Wetter").any_match  # the background matches "Wetter" better
    assert book.rank(speaker, "Pläne").matches[0] and book.rank(speaker, "Pläne").quotes[0].passage_id == 2
    assert book.rank(speaker).matches == (True, True)  # no topic: nothing to match
    assert QuoteBook(quotes, [speaker], vectors, embed).rank(speaker, "Wetter").any_match  # no background: as before


def test_find_reported_speech(book):
    reported = book.find(speaker="Rutte", query="Putin stoppen", kinds=("reported",))
    assert reported and all(q.kind == "reported" for q in reported)
    assert "Putin stoppen" in reported[0].text


def test_key_quotes_are_attributed_distinct_and_central(book):
    key = book.key_quotes(3)
    assert len(key) == 3
    assert all(q.kind == "direct" and q.speaker for q in key)
    assert len({(q.passage_id, q.start) for q in key}) == 3
    assert {q.speaker_name for q in key[:2]} == {"Mark Rutte", "Friedrich Merz"}
    assert all(len(q.text.split()) >= 5 for q in key)  # no fragments such as „über die Pläne“
    assert key == book.key_quotes(3)


@pytest.mark.parametrize(
    "text, key, rest",
    [
        ("Merz Waffenstillstand", "friedrich-merz", "Waffenstillstand"),
        ("Rutte", "mark-rutte", ""),
        ("Зеленський мир", "wolodymyr-selenskyj", "мир"),
        ("Friedrich Merz: neue Zeit", "friedrich-merz", "neue Zeit"),
        ("der Kanzler Garantien", "friedrich-merz", "Garantien"),
        ("zelenskyy elections", "wolodymyr-selenskyj", "elections"),
        ("Waffenstillstand Merz", None, "Waffenstillstand Merz"),
        ("Präsident Frieden", None, "Präsident Frieden"),
        ("", None, ""),
    ],
)
def test_split_speaker_query(book, text, key, rest):
    for speaker, remainder in (split_speaker_query(text), book.split_speaker_query(text)):
        assert (speaker.key if speaker else None, remainder) == (key, rest)


@pytest.mark.parametrize(
    "text, key, rest",
    [
        ("Mark", "mark-rutte", ""),  # a first name
        ("mark", "mark-rutte", ""),
        ("Марк Waffenstillstand", "mark-rutte", "Waffenstillstand"),  # transliterated
        ("Friedrich Waffenstillstand", "friedrich-merz", "Waffenstillstand"),
        ("MARK RUTTE Krieg", "mark-rutte", "Krieg"),
        ("Marc Rutte Krieg", "mark-rutte", "Krieg"),  # another spelling of the first name
        ("Rüte", "mark-rutte", ""),
        ("Rjutte Frieden", "mark-rutte", "Frieden"),  # a near miss of the surname
        ("Emanuel Makron", "emmanuel-macron", ""),
        ("Wladimir", "wladimir-putin", ""),
        ("Wolodymyr", "wolodymyr-selenskyj", ""),  # also a spelling of Putin's: his own name wins
        ("Christoph", "christoph-heusgen", ""),
        ("Keir Frieden", "keir-starmer", "Frieden"),
        ("Krieg", None, "Krieg"),
        ("M", None, "M"),
    ],
)
def test_split_speaker_query_by_first_name_and_other_spellings(book, text, key, rest):
    for speaker, remainder in (split_speaker_query(text), book.split_speaker_query(text)):
        assert (speaker.key if speaker else None, remainder) == (key, rest)


def test_near_misses_only_when_asked_for(book):
    assert book.split_speaker_query("Markt für Rüstung")[0].key == "mark-rutte"  # /quote: the first word is a name
    assert book.split_speaker_query("Markt für Rüstung", near=False) == (None, "Markt für Rüstung")  # inline
    assert book.split_speaker_query("Mark Waffenstillstand", near=False)[0].key == "mark-rutte"
    assert book.resolve("Friedrich").key == "friedrich-merz" and book.resolve("Scholz") is None


# ---- CLI ------------------------------------------------------------------------------------
def test_cli_quotes_json_by_speaker(cli):
    code, out, _ = cli("quotes", "--json", "--speaker", "Rutte")
    rows = json.loads(out)
    assert code == 0
    assert [r["passage_id"] for r in rows] == [5, 20, 21]
    assert all(set(r) == {"speaker", "quote", "passage_id", "kind"} for r in rows)
    assert {(r["speaker"], r["kind"]) for r in rows} == {("Mark Rutte", "direct")}
    assert rows[1]["quote"] == EXPECTED["direct"][6]["text"]


def test_cli_quotes_ranked_text_and_limit(cli):
    code, out, _ = cli("quotes", "--speaker", "Мерц", "--limit", "1", "Waffenstillstand")
    assert code == 0
    assert out.splitlines() == [f"[1] „{EXPECTED['direct'][3]['text']}“ — Friedrich Merz (§8)"]


def test_cli_quotes_person_without_quotes_and_unknown_person(cli):
    assert cli("quotes", "--json", "--speaker", "Putin")[:2] == (0, "[]\n")
    code, out, _ = cli("quotes", "--speaker", "Putin")
    assert (code, out) == (0, "no direct quotations from Wladimir Putin\n")
    code, out, err = cli("quotes", "--json", "--speaker", "Scholz")
    assert code == 1 and out == ""
    assert "Scholz" in err and "Mark Rutte" in err
