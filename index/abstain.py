"""Pure pieces of the answer decision over scores and text: the relevance margin and answer types.

* **Relevance margin.** ``margin = top_dense - background_top``: how much better the best article
  sentence matches the question than the best sentence of an unrelated background corpus does.
  e5's cosine values sit in a narrow band whose level depends on the question's language, length
  and wording; the background corpus measures that level for each question. :mod:`index.decision`
  applies the cross-validated thresholds.
* **Answer types.** A question that asks *when* needs a time expression in the passage that
  answers it; one that asks *how many / how much / how long* a number; *how old* an age, *where /
  when was X born* a birth. Among the best few passages, those that offer the asked type go first,
  and the quote is the passage's sentence with the date or number.
"""

from __future__ import annotations

import re

def margin(top_dense: float, background_top: float) -> float:
    return float(top_dense - background_top)


# ---- answer types ---------------------------------------------------------------------------
# Question cues in the languages users write in (German, English, French, Spanish, Russian, Ukrainian).
_TIME_CUES = re.compile(
    r"\b(wann|bis wann|seit wann|an welchem tag|welchem datum|when|what date|which day|what day|quand|"
    r"quelle date|cuándo|cuando|qué día|когда|какого числа|коли|якого числа)\b",
    re.IGNORECASE,
)
_QUANTITY_CUES = re.compile(
    r"\b(wie ?viele?|wie hoch|wie groß|wie lange|how many|how much|how long|how high|how large|what percentage|"
    r"what share|combien|quel pourcentage|cuántos|cuántas|cuánto|cuánta|сколько|какой процент|скільки|"
    r"який відсоток)\b",
    re.IGNORECASE,
)

_MONTHS = "januar februar märz april mai juni juli august september oktober november dezember"
_WEEKDAYS = "montag dienstag mittwoch donnerstag freitag samstag sonntag wochenende"
_TIME_WORDS = (
    _MONTHS + " " + _WEEKDAYS + " heute morgen gestern übermorgen vorgestern tag tage tagen woche wochen monat "
    "monate monaten jahr jahre jahren stunde stunden minute minuten uhr frühjahr sommer herbst winter "
    "kommenden nächsten vergangenen"
)
_TIME = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.|\b((19|20)\d\d|" + "|".join(_TIME_WORDS.split()) + r")\b", re.IGNORECASE
)
_NUMBER_WORDS = (
    "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig vierzig fünfzig "
    "hundert tausend million millionen milliarde milliarden prozent hälfte drittel viertel dutzend dutzende "
    "täglich wöchentlich jährlich"
)
_NUMBER = re.compile(r"\d|\b(" + "|".join(_NUMBER_WORDS.split()) + r")\b", re.IGNORECASE)


# A person's age and birth are answer types of their own: a number or a date is not enough
# ("vier Jahren" is a duration, not anybody's age).
_AGE_CUES = re.compile(r"\b(wie alt|how old|what age|quel âge|qué edad|cuántos años tiene)\b", re.IGNORECASE)
_BIRTH_CUES = re.compile(
    r"\b(geboren|born|birthplace|né|née|nació|родился|родилась|родом|народився|народилася)\b", re.IGNORECASE
)
_AGE = re.compile(r"\d+[- ]?jährig|\bjahre alt\b|\bim alter von\b|\bjährige[nr]?\b", re.IGNORECASE)
_BIRTH = re.compile(r"\bgeboren\b|\bgeb\.\s|\bgebürtig", re.IGNORECASE)
KIND_LABELS = {"time": "date or time", "quantity": "number", "age": "person's age", "birth": "birth date or place"}


def asked_type(question: str) -> str | None:
    """"age", "birth", "time", "quantity" or None (any other question)."""
    if _AGE_CUES.search(question):
        return "age"
    if _BIRTH_CUES.search(question):
        return "birth"
    if _QUANTITY_CUES.search(question):
        return "quantity"
    if _TIME_CUES.search(question):
        return "time"
    return None


def offers_type(kind: str | None, text: str) -> bool:
    """Whether ``text`` can answer a question of type ``kind`` at all."""
    if kind == "time":
        return bool(_TIME.search(text))
    if kind == "quantity":
        return bool(_NUMBER.search(text))
    if kind == "age":
        return bool(_AGE.search(text))
    if kind == "birth":
        return bool(_BIRTH.search(text))
    return True
