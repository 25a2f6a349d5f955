"""German sentence splitting: abbreviations, dates and quotations spanning sentences."""

from __future__ import annotations

from index.schema import Passage
from index.sentences import split_passage


def sentences(text: str) -> list[str]:
    return [s.text for s in split_passage(Passage(1, "a", "paragraph", "", text))]


def test_date_with_periods_is_not_a_sentence_end():
    text = "Friedrich Merz, Keir Starmer, Wolodymyr Selenskyj und Emmanuel Macron am 8.12. in London"
    assert sentences(text) == [text]


def test_abbreviations_do_not_split():
    text = "Das sagte u.a. Dr. Müller am 3. Oktober z.B. vor der Presse. Danach ging er."
    assert sentences(text) == ["Das sagte u.a. Dr. Müller am 3. Oktober z.B. vor der Presse.", "Danach ging er."]


def test_closing_quote_stays_with_its_sentence():
    text = 'Merz sagt: "Es ist nichts mehr so wie früher. Und wir sind in einer anderen Welt." Dann ging er.'
    got = sentences(text)
    assert got[-1] == "Dann ging er."
    assert all(not s.startswith('"') for s in got[1:])
    assert got[-2].endswith('Welt."')


def test_quote_continuing_with_attribution_stays_together():
    text = '"Wir sind Russlands nächstes Ziel. Und wir haben schon Schaden genommen", so Rutte über die Partner.'
    got = sentences(text)
    assert got[-1] == 'Und wir haben schon Schaden genommen", so Rutte über die Partner.'


def test_offsets_are_verbatim():
    p = Passage(1, "a", "paragraph", "", "Erstens das.  Zweitens  jenes! Drittens?")
    for s in split_passage(p):
        assert p.text[s.start:s.end] == s.text
