"""The engine's tunables, in one place, each with the reason for its value.

Comments cite where a value was measured (a ``bench/results/*.json`` file or a docs section)
instead of copying the figures, which drift. Fitted values live elsewhere and are written by
their fit: the decision's model and thresholds (``index.decision.RELEVANCE`` and
``index.decision.THRESHOLDS``, written by ``bench/crossval.py``; bench/results/crossval.json,
docs/evaluation.md "The decision and its protocol"). The bot's own tunables: ``bot/tuning.py``.
Modules import these names, so ``monkeypatch.setattr(module, NAME, ...)`` still works per module.
"""

from __future__ import annotations

# ---- retrieval (index.engine, index.search) ---------------------------------------------------
# Passage kinds retrieved; the title and subheadings repeat the paragraphs and cost hit@1 under
# cross-validation, video titles carry statements of their own (docs/evaluation.md, cross-validated results).
RETRIEVED_KINDS = frozenset({"lead", "paragraph", "caption", "video"})
BM25_WEIGHT_GERMAN = 1.0  # German BM25 counts fully for German questions, as in the issue-10 baseline (bench/results/quality.json)
BM25_WEIGHT_OTHER = 0.0  # other languages: no BM25; 0.3, 0.5 and 1.0 cost more under cross-validation (bench/results/variants.json)
SPARSE_WEIGHT = 1.0  # e5 sparse terms rank as much as dense ones (names across languages); 0.5 / 1.5 / 2.0 no better (bench/results/variants.json)
DENSE_CANDIDATES = 512  # FAISS neighbours per question: every unit of one article, cheap at scale (docs/performance.md, Scale)
RRF_K = 60  # reciprocal rank fusion's usual constant (Cormack et al. 2009); 5-30 within noise (bench/results/variants.json)
RANK_DEPTH = 1000  # a rank list counts for its first 1,000 entries (1/1060 at the cut: negligible); corpora are ranked in full below
DENSE_GAP_AT = 3  # evidence dense_gap: best passage minus the third (docs/evaluation.md, the evidence list)
TYPE_RULE = True  # when / how-many questions put a passage with a date / number first (ordering only; the decision's type rule is off)
TYPE_CANDIDATES = 2  # how deep that promotion looks: the best two passages (docs/evaluation.md, type_missing)
HUB_NEIGHBOURS = 10  # a unit's hubness: mean similarity to its 10 nearest background questions (CSLS's usual k)
QUOTE_BM25_TIEBREAK = 0.02  # the quoted sentence: dense score plus this x relative BM25, which only breaks near-ties

# ---- the index (index.store) ----------------------------------------------------------------
APPROX_THRESHOLD = 25_000  # units above which search switches from exact to HNSW (docs/performance.md, "Where to switch")
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 256  # the HNSW measured in docs/performance.md, Scale

# ---- questions (index.language) -------------------------------------------------------------
MAX_QUESTION_CHARS = 300  # longer than any real question; one hostile message cannot hold the encoder
MAX_WORD_CHARS = 40  # a run without spaces (pasted junk, URLs) is cut to a word's length

# ---- names across scripts (index.names, index.speakers) -------------------------------------
NAME_KNOWN_AT = 0.86  # Jaro-Winkler of spelling keys from which a word is an article name; hand-set, its cases pinned in tests/test_names.py
NAME_UNKNOWN_BELOW = 0.75  # below this a name is unknown (only evidence: the unknown-name rule is off, docs/evaluation.md)
SHORT_NAME = 5  # folded names shorter than this ("mesi") need a closer match: short words collide
SHORT_NAME_KNOWN_AT = 0.93  # ... this close

# ---- quotations (index.quotes) --------------------------------------------------------------
# A quotation matches a topic when cosine + QUOTE_LEXICAL_WEIGHT x the share of topic words it holds
# reaches the topic's best background cosine; fragments need a topic word (bench/results/quote_topics.json).
QUOTE_LEXICAL_WEIGHT = 0.05
STATEMENT_WORDS = 5  # a whole statement, not a fragment (topic matches above; key quotations)
QUOTE_LENGTH_BONUS = 0.02  # up to this for ten words or more: a three-word fragment ranks below a statement
KEY_QUOTE_LENGTH_BONUS = 0.05  # key quotations: up to this for 300 characters, longer statements a little ahead

# ---- the briefing (index.briefing) ----------------------------------------------------------
BRIEFING_TEXT_BUDGET = 3500  # plain text; one Telegram message (4096) holds it with the markup
MIN_POINTS, MAX_POINTS = 3, 5  # key points: a briefing sheds points down to three to fit, and has at most five
MIN_QUOTES, MAX_QUOTES = 2, 3  # key quotations: then down to two (bot/quoting.py sheds in the same order)
MIN_POINT_CHARS, MAX_POINT_CHARS = 60, 320  # a key point's sentence: a statement, neither a fragment nor a paragraph
MAX_QUOTE_CHARS = 600  # a longer quotation is no key quotation (it would take the message)
