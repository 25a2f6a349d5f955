"""Answers to callback and inline queries: each query can be answered once, within the TTL."""

from __future__ import annotations

from .errors import bad_request
from .messages import parse_for
from .params import Params, api_method
from .state import BotState
from .validation import MAX_CALLBACK_ANSWER_LENGTH, check_inline_results


@api_method("answerCallbackQuery")
def answer_callback_query(state: BotState, p: Params) -> bool:
    query_id = p.text("callback_query_id")
    if len(p.text("text")) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    state.claim_query(query_id, "callback_query")
    with state.lock:
        state.callback_answers[query_id] = dict(p.raw)
    return True


@api_method("answerInlineQuery")
def answer_inline_query(state: BotState, p: Params) -> bool:
    query_id = p.text("inline_query_id")
    results = p.json("results")
    check_inline_results(results, lambda text, mode, entities: parse_for(state, text, mode, entities))
    state.claim_query(query_id, "inline_query")
    with state.lock:
        state.inline_answers[query_id] = {**p.raw, "results": results, "button": p.json("button")}
    return True
