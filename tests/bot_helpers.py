"""Helpers for the bot tests: a checker for Telegram's HTML subset and small value builders."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from index.schema import Answer, Hit, Passage

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
                 "span", "tg-spoiler", "tg-emoji"}
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"unsupported tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def html_problems(message: str) -> list[str]:
    """What Telegram would reject in ``message`` (tags and stray ``<``/``&``); [] when fine."""
    checker = _Checker()
    checker.feed(message)
    checker.close()
    problems = list(checker.errors)
    if checker.stack:
        problems.append(f"unclosed {checker.stack}")
    if "<" in "".join(checker.text) and "&lt;" not in message:
        problems.append("a raw '<' in the text")
    return problems


def plain(message: str) -> str:
    checker = _Checker()
    checker.feed(message)
    checker.close()
    return html.unescape("".join(checker.text))


def passage(pid: int = 5, text: str = "Erster Satz. Zweiter Satz mit <Tag> & Co. Dritter.", *, kind: str = "paragraph",
            section: str = "Abschnitt & Co", credit: str = "") -> Passage:
    return Passage(id=pid, article_id="a", kind=kind, section=section, text=text, credit=credit)


def hit(p: Passage, sentence: str) -> Hit:
    start = p.text.index(sentence)
    return Hit(passage=p, score=1.0, quote=sentence, quote_start=start, quote_end=start + len(sentence))


def answer(*hits: Hit, question: str = "Frage?") -> Answer:
    return Answer(question=question, answered=bool(hits), hits=tuple(hits), confidence=0.1 if hits else -0.1)
