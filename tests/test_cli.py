"""The CLI contract other tools depend on: ``ask``, ``ask --json``, stdin mode, ``eval``, and
clear one-line errors with exit code 2 for bad input and bad settings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.main import main

DATA = Path(__file__).parent / "data"


def test_ask_json_contract(cli):
    code, out, err = cli("ask", "--json", "Wer kann Putin laut Rutte stoppen?")
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == {"question", "answered", "confidence", "reason", "passages"}
    assert answer["answered"] is True and len(answer["passages"]) == 3
    first = answer["passages"][0]
    assert set(first) == {"id", "kind", "section", "text", "quote", "score"}
    assert "Putin stoppen könne" in first["text"] and first["quote"] in first["text"]


def test_ask_readable_answer_highlights_the_quote(cli):
    code, out, _ = cli("ask", "Was", "sagt", "Merz", "über", "die", "neue", "Zeit?")
    assert code == 0
    assert "§6" in out and "Es ist nichts mehr so wie früher" in out


def test_ask_readable_unanswered_claims_no_answer(cli):
    code, out, _ = cli("ask", "What is the recipe for lasagna?")
    assert code == 0
    assert "The article does not answer this question." in out and "The article covers:" in out
    code, out, _ = cli("ask", "thanks!")
    assert code == 0 and "Ask me a question about the article" in out and "§" not in out


def test_ask_reads_one_question_per_line_from_stdin(cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Ist das Baltikum bedroht?\n\n   \nWhat is the recipe for lasagna?\n"))
    code, out, _ = cli("ask", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    assert rows[0]["confidence"] in ("high", "low") and any("Baltikum" in p["text"] for p in rows[0]["passages"])
    assert rows[1] == {"question": "What is the recipe for lasagna?", "answered": False, "confidence": "none",
                       "reason": "not_in_article", "passages": []}


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question_is_a_usage_error(cli, question):
    code, out, err = cli("ask", question)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "usage" not in err.lower() or "question" in err


@pytest.mark.parametrize(
    "question",
    ["Rutte " * 1700, "Rutte\x00\x07\x1b[31m?", "\udcff\udcfe binary \x80\x81", "\u200b\u200f\u202eРютте\u202c?", "🤔" * 50],
)
def test_hostile_questions_get_an_answer_not_a_traceback(cli, question):
    code, out, err = cli("ask", "--json", question)
    assert code == 0, err
    answer = json.loads(out)
    assert isinstance(answer["answered"], bool)
    assert "Traceback" not in err


def test_eval_prints_hit_rates_per_language_and_abstention(cli):
    code, out, _ = cli("eval", str(DATA / "dev_eval.jsonl"))
    assert code == 0
    assert "hit@1" in out and "MRR" in out and "abstention: 3/3 unanswerable rejected" in out
    assert any(line.startswith("all ") for line in out.splitlines())


def test_eval_bad_file_is_one_clear_line(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\nnot json\n')
    code, out, err = cli("eval", str(bad))
    assert code == 1 and "bad.jsonl:2" in err and "Traceback" not in err


def test_unknown_model_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = main(["ask", "--model", "no-such-org/no-such-model", "--index-dir", str(tmp_path / "i"), "Rutte?"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "no-such-org/no-such-model" in err


def test_unusable_index_dir_is_one_line_and_exit_2(tmp_path, capsys):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    code = main(["ask", "--index-dir", str(not_a_dir), "Rutte?"])
    err = capsys.readouterr().err
    assert code == 2 and "INDEX_DIR" in err and len(err.strip().splitlines()) == 1
