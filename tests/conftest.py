"""Shared fixtures. The real model, real FAISS and real BM25 on the real article: the engine is
built once per test session into a temporary INDEX_DIR and shared (it is read-only after open)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "dw-nato-rutte-2025-12-11.txt"


@pytest.fixture(scope="session")
def embedder():
    from index.embeddings import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def engine_settings(tmp_path_factory):
    from index.settings import EngineSettings

    return EngineSettings(seeds_dir=SEEDS, index_dir=tmp_path_factory.mktemp("index") / "idx")


@pytest.fixture(scope="session")
def engine(engine_settings, embedder):
    from index.engine import Engine

    return Engine.open(engine_settings, embedder=embedder)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture
def cli(engine, engine_settings, embedder, monkeypatch, capsys):
    """``article-bot`` on the session's index (built by ``engine``), reusing the loaded model.
    ``cli("ask", "--json", "question")`` returns (exit code, stdout, stderr)."""
    from bot.main import main

    monkeypatch.setattr("index.engine.load_embedder", lambda *a, **k: embedder)
    monkeypatch.setenv("SEEDS_DIR", str(engine_settings.seeds_dir))

    def run(command: str, *argv: str) -> tuple[int, str, str]:
        code = main([command, "--index-dir", str(engine_settings.index_dir), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# Tests that load the model (directly or through a fixture that does) or start article-bot in a
# subprocess are marked "slow": `pytest -m "not slow"` runs the rest in seconds.
MODEL_FIXTURES = {"embedder", "engine"}
SLOW_FILES = {"test_bot_process.py", "test_cli.py", "test_speed.py", "test_retrieval.py"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: loads the embedding model or starts a subprocess")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
