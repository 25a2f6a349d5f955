"""Plain-text rendering of answers for the terminal (the bot has its own HTML formatter)."""

from __future__ import annotations

from .article import Article
from .schema import Answer, Briefing, Hit, Quote

BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def highlight(hit: Hit, color: bool) -> str:
    text = hit.passage.text
    before, quote, after = text[: hit.quote_start], text[hit.quote_start : hit.quote_end], text[hit.quote_end :]
    if color:
        return f"{before}{BOLD}{quote}{RESET}{after}"
    return f"{before}»{quote}«{after}" if (before or after) else quote


SMALL_TALK = "Hello! Ask me a question about the article, e.g. \"What did Rutte warn about?\""


def format_answer_text(answer: Answer, article: Article | None = None, color: bool = False) -> str:
    """The terminal rendering of each verdict (index.decision): quotes for "answer", the closest
    passages introduced as such for "unsure", a short reply otherwise."""
    reason = str(getattr(answer.reason, "value", answer.reason))
    if reason in ("small_talk", "empty"):
        return f"Q: {answer.question}\n{SMALL_TALK}\n"
    if not answer.hits:
        topics = ""
        if article is not None and article.headings:
            topics = "\nThe article covers: " + "; ".join(article.headings) + "."
        why = (f"The article never mentions {answer.unknown_name}, so it does not answer this question."
               if answer.unknown_name else "The article does not answer this question.")
        return f"Q: {answer.question}\n{why}{topics}\n"
    lines = [f"Q: {answer.question}"]
    if not answer.answered:
        lines.append("The article may not answer this directly. Closest passages:")
    for n, hit in enumerate(answer.hits, 1):
        p = hit.passage
        lines.append(f"[{n}] §{p.id} · {p.kind} · {p.section}  (score {hit.score:.3f})")
        lines.append("    " + (highlight(hit, color) if answer.answered else p.text))
    return "\n".join(lines) + "\n"


def format_quote(quote: Quote) -> str:
    """„text“ — Speaker (§N); a quotation is always shown in German marks, whatever the source used."""
    who = f" — {quote.speaker_name}" if quote.speaker else ""
    return f"„{quote.text}“{who} (§{quote.passage_id})"


def format_quotes_text(quotes: list[Quote]) -> str:
    return "\n".join(f"[{n}] {format_quote(q)}" for n, q in enumerate(quotes, 1)) + "\n"


def format_briefing_text(briefing: Briefing) -> str:
    a = briefing.article
    lines = [a.title, " · ".join(x for x in (a.publisher, a.date_display) if x), "", "Key points:"]
    lines += [f"• {p.text} (§{p.passage_id})" for p in briefing.points]
    if briefing.quotes:
        lines += ["", "Key quotes:"] + [f"• {format_quote(q)}" for q in briefing.quotes]
    return "\n".join(lines) + "\n"
