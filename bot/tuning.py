"""The bot's tunables, in one place, each with the reason for its value.

Settings a deployment changes (tokens, flood limit, webhook, ...) are environment variables read by
``bot/settings.py``; these are fixed choices. Comments cite where a value was measured instead of
copying the figures. The engine's tunables: ``index/tuning.py``.
"""

from __future__ import annotations

# ---- answering many chats at once (bot.asker, bot.context) -----------------------------------
MAX_CONCURRENT_UPDATES = 64  # updates handled at once: they mostly wait for the Bot API, not the engine
MAX_BATCH = 16  # questions that wait for the engine go in as one ask_many, up to this many (bench/results/speed.json, bot)
CACHE_SIZE = 1024  # answers kept per engine (LRU by normalised question): repeated questions cost nothing
TYPING_AFTER = 0.3  # seconds before "typing..." shows: a quick answer needs none (the issue-11 brief)
TYPING_EVERY = 4.5  # renew "typing...": Telegram shows it for about 5 s
RECENT_QUESTIONS = 1024  # questions behind "More" buttons (LRU); older buttons answer "expired"
ANSWERED_PER_CHAT = 50  # a chat's answered messages whose edit updates the answer in place (LRU): people fix recent typos

# ---- replies (bot.handlers) -----------------------------------------------------------------
MORE_PAGE = 3  # passages per "More" page
CONTEXT_RADIUS = 1  # "Context" shows the passage before and after
# "More" lists only passages whose fused (RRF) score is at least this share of the best one's: it
# keeps the answering passage for nearly every labelled question while listing a handful, not all
# (bench/results/more_share.json, written by bench/more_share.py).
RELEVANT_SHARE = 0.9
QUOTE_LIMIT = 5  # quotation cards per /quote reply
KEY_QUOTES = 3  # key quotations for the empty inline query

# ---- inline mode (bot.cards, bot.quoting, bot.handlers.inline) ------------------------------
INLINE_MAX_RESULTS = 10  # cards per inline answer (Telegram allows 50; ten fit a phone screen)
WHOLE_QUOTE_CHARS = 600  # a card widened to a whole quotation, at most
INLINE_TITLE_CHARS = 100  # an inline result's title is cut here
INLINE_CACHE_SECONDS = 300  # Telegram may cache inline results this long: the article does not change

# ---- sending (bot.handlers.common) ----------------------------------------------------------
# Transient failures (429, 5xx, timeout, dropped connection) are retried so that a question gets
# its answer; a timeout may mean Telegram posted it already, and a rare duplicate is preferred to
# a lost answer. BadRequest and Forbidden are never retried.
SEND_RETRIES = 2
RETRY_DELAYS = (1.0, 3.0)  # seconds before the 1st and 2nd retry; a 429 names its own wait
MAX_FLOOD_WAIT = 60.0  # a longer 429 wait is not sat out
