"""When does a quotation match a topic? Measures the rule of ``QuoteBook.rank`` (``/quote NAME
TOPIC`` says "none of their quotations is about TOPIC" when no quotation matches) on hand-labelled
topics for the article's direct quotations, and the same rule without the fragment condition.

Labels: for each topic, the quotations (surname initial + passage id) that are about it; every
other direct quotation of Merz and Rutte is not. Cross-language and paraphrase topics are kept
in to show what the rule misses.

    .venv/bin/python bench/quote_topics.py     (-> bench/results/quote_topics.json)
"""

from __future__ import annotations

import common  # noqa: F401  (environment and sys.path first)
from index.quotes import _WORD, QuoteBook
from index.tuning import QUOTE_LEXICAL_WEIGHT, STATEMENT_WORDS
from index.speakers import stem

LABELS = {
    "Waffenstillstand": {"M8"}, "Dringlichkeit": {"R21"}, "Russland": {"R20"}, "NATO": {"R5"}, "Ukraine": {"M8"},
    "Verpflichtung": {"R5"}, "USA": {"R5"}, "Krieg": {"M8"}, "Wahlen": set(), "Pizza": set(), "Klimawandel": set(),
    "Fußball": set(), "Garantien": {"M8"}, "Sicherheit": {"M10"}, "Ziel": {"R20"}, "Zeit": {"M6", "R21"},
    "Welt": {"M6"}, "Verhandlungen": {"M10"}, "ceasefire": {"M8"}, "urgency": {"R21"}, "Europa": {"M10"},
    "Pläne": {"M18"}, "Schaden": {"R20"}, "Migration": set(), "Trump": set(), "Putin": set(), "Feuerpause": {"M8"},
    "Vergangenheit": {"M6"}, "Antworten": {"M6"}, "Sicherheitsgarantien": {"M8"}, "Kriegsende": {"M8"},
    "Zukunft": set(), "Wirtschaft": set(), "Energiepreise": set(), "China": set(), "Haushalt": set(), "Wetter": set(),
    "Abgesandte": set(), "Gebietsabtretungen": set(), "Drohnen": set(), "Desinformation": set(),
    "Verteidigungsausgaben": set(), "the war in Ukraine": {"M8"}, "Russia is the next target": {"R20"},
    "Europa muss mehr Verantwortung übernehmen": set(), "NATO Verpflichtung der USA": {"R5"}, "Bündnis": {"R5"},
    "Gefahr aus Russland": {"R20"},
}


def main() -> None:
    args = common.parser(__doc__.splitlines()[0]).parse_args()
    run = common.Run.start("quote_topics", args)
    engine = common.open_engine()
    book = QuoteBook.build(engine.article, engine)
    rows = []  # (topic, label, labelled a match, matched by the rule, matched without the fragment condition)
    for topic, relevant in LABELS.items():
        qvec = engine.embed_queries([topic])[0]
        level = book.background_level(qvec)
        terms = {stem(w) for w in _WORD.findall(topic)}
        for speaker in ("Merz", "Rutte"):
            ranked = book.rank(speaker, topic, limit=100)
            for quote, match in zip(ranked.quotes, ranked.matches):
                label = f"{quote.speaker.name.split()[-1][0]}{quote.passage_id}"
                lexical = len(terms & {stem(w) for w in _WORD.findall(quote.text)}) / max(1, len(terms))
                dense = float(book._vectors[book.quotes.index(quote)] @ qvec)
                rows.append((topic, label, label in relevant, match, dense + QUOTE_LEXICAL_WEIGHT * lexical >= level))
    results = {"pairs": len(rows), "labelled_matches": sum(r[2] for r in rows),
               "QUOTE_LEXICAL_WEIGHT": QUOTE_LEXICAL_WEIGHT, "STATEMENT_WORDS": STATEMENT_WORDS}
    for name, column in (("rule", 3), ("without the fragment condition", 4)):
        tp = sum(r[2] and r[column] for r in rows)
        fp = [(r[0], r[1]) for r in rows if r[column] and not r[2]]
        fn = [(r[0], r[1]) for r in rows if r[2] and not r[column]]
        results[name] = {"found": tp, "false": len(fp), "missed": len(fn), "false_pairs": fp, "missed_pairs": fn}
        print(f"{name}: {len(rows)} pairs, {sum(r[2] for r in rows)} labelled matches; found {tp}, "
              f"false {len(fp)}, missed {len(fn)}\n  false: {fp}\n  missed: {fn}")
    print(f"(QUOTE_LEXICAL_WEIGHT {QUOTE_LEXICAL_WEIGHT}, STATEMENT_WORDS {STATEMENT_WORDS})")
    run.save(results)


if __name__ == "__main__":
    main()
