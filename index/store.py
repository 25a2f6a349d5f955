"""The on-disk index: FAISS vectors + JSONL passages/sentences + a manifest. No pickle.

Layout of ``INDEX_DIR``::

    manifest.json      engine version, model id, dimension, seeds hash, counts, FAISS type
    articles.json      article metadata
    passages.jsonl     one Passage per line
    units.jsonl        one embedded unit per line: a sentence (passage id, offsets) or a whole passage,
                       with its hubness (how much it matches unrelated questions)
    vectors.faiss      FAISS inner-product index over the L2-normalised unit vectors
    background.npy     dense vectors of the unrelated background corpus (abstention), no pickle
    background_queries.npy  the same sentences encoded as questions (for each unit's hubness)
    sparse.npz         sparse latent-term vectors of the units, when the model has that head (scipy CSR)

The background vectors depend on the model and the background sentences only, not on the
articles: a rebuild for new or changed articles takes them from the previous index when its
manifest names the same engine version, model, dimension and background hash
(:func:`load_background`).

Writes go to a temporary sibling directory that is renamed into place, so a crash never leaves
half an index. Loading checks every file against the manifest and raises :class:`IndexInvalid`
naming the path and the mismatched value.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .schema import ArticleMeta, Passage, Sentence
from .tuning import APPROX_THRESHOLD, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M  # exact search, HNSW above

log = logging.getLogger(__name__)

ENGINE_VERSION = "6"  # 6: sentences' sparse terms from their dense pass (prefix skipped), a passage's own text's
# from its bare text, whole passages' dense vectors from that bare pass (5: every unit's terms read the bare text)
MANIFEST = "manifest.json"
FILES = ("articles.json", "passages.jsonl", "units.jsonl", "vectors.faiss", "background.npy", "background_queries.npy")
BACKGROUND_FILES = ("background.npy", "background_queries.npy")
SPARSE_FILE = "sparse.npz"


class IndexInvalid(RuntimeError):
    """The index at ``path`` is missing, corrupt, or was built for other settings."""

    def __init__(self, path: Path, what: str, expected=None, found=None) -> None:
        detail = f"{what}" if expected is None else f"{what}: expected {expected!r}, found {found!r}"
        super().__init__(f"{path}: {detail}")
        self.path = path


@dataclass(frozen=True)
class Unit:
    """An embedded piece of text: a sentence of a passage (``sentence`` >= 0) or the whole passage (-1)."""

    passage_id: int
    sentence: int
    start: int
    end: int
    hub: float = 0.0  # mean similarity to its nearest unrelated questions (CSLS hubness correction)


@dataclass
class IndexData:
    articles: list[ArticleMeta]
    passages: list[Passage]
    sentences: list[list[Sentence]]  # per passage, in passage order
    units: list[Unit]
    vectors: object  # faiss.Index
    manifest: dict
    background: np.ndarray | None = None  # (n, dim) float32, the background sentences as passages
    sparse: object = None  # scipy.sparse.csr_matrix (units x latent terms) or None
    background_queries: np.ndarray | None = None  # (n, dim) float32, the same sentences as questions


def make_faiss(vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD):
    """Exact inner product for small corpora, HNSW above ``approx_threshold`` vectors."""
    import faiss

    n, dim = vectors.shape
    if n > approx_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def manifest_for(model: str, dim: int, seeds_hash: str, background_hash: str | None = None) -> dict:
    from .background import background_hash as current_background_hash

    return {"engine_version": ENGINE_VERSION, "model": model, "dimension": int(dim), "seeds_hash": seeds_hash,
            "background_hash": background_hash or current_background_hash()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save(data: IndexData, index_dir: Path) -> None:
    """Write atomically: a temporary directory beside ``index_dir``, then a rename."""
    import faiss

    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.tmp-", dir=index_dir.parent))
    try:
        (tmp / "articles.json").write_text(
            json.dumps([asdict(a) for a in data.articles], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        with open(tmp / "passages.jsonl", "w", encoding="utf-8") as f:
            for p in data.passages:
                f.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
        with open(tmp / "units.jsonl", "w", encoding="utf-8") as f:
            for u in data.units:
                f.write(json.dumps(asdict(u)) + "\n")
        faiss.write_index(data.vectors, str(tmp / "vectors.faiss"))
        for name, vectors in zip(BACKGROUND_FILES, (data.background, data.background_queries)):
            vectors = vectors if vectors is not None else np.zeros((0, data.vectors.d), np.float32)
            np.save(tmp / name, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        files = list(FILES)
        if data.sparse is not None:
            from scipy.sparse import save_npz

            save_npz(tmp / SPARSE_FILE, data.sparse.tocsr())
            files.append(SPARSE_FILE)
        manifest = dict(data.manifest)
        manifest.update(
            passages=len(data.passages),
            units=len(data.units),
            faiss_type=type(data.vectors).__name__,
            files={name: _sha256(tmp / name) for name in files},
        )
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        data.manifest = manifest
        old = None
        if index_dir.exists():
            old = index_dir.with_name(f".{index_dir.name}.old-{os.getpid()}")
            os.replace(index_dir, old)
        os.replace(tmp, index_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load(index_dir: Path, expected: dict, want_sparse: bool = False) -> IndexData:
    """Read and validate an index; ``expected`` is :func:`manifest_for` of the current settings.

    Returns an :class:`IndexData` without sentences (the caller splits passages again).
    """
    import faiss

    index_dir = Path(index_dir)
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        raise IndexInvalid(manifest_path, "no manifest")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexInvalid(manifest_path, f"unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict):
        raise IndexInvalid(manifest_path, "manifest is not an object")
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise IndexInvalid(manifest_path, key, value, manifest.get(key))
    files = list(FILES) + ([SPARSE_FILE] if want_sparse else [])
    for name in files:
        path = index_dir / name
        if not path.is_file():
            raise IndexInvalid(path, "missing file")
        digest = _sha256(path)
        if digest != manifest.get("files", {}).get(name):
            raise IndexInvalid(path, "content hash", manifest.get("files", {}).get(name), digest)
    try:
        articles = [ArticleMeta(**a) for a in json.loads((index_dir / "articles.json").read_text(encoding="utf-8"))]
        with open(index_dir / "passages.jsonl", encoding="utf-8") as f:
            passages = [Passage(**json.loads(line)) for line in f if line.strip()]
        with open(index_dir / "units.jsonl", encoding="utf-8") as f:
            units = [Unit(**json.loads(line)) for line in f if line.strip()]
        vectors = faiss.read_index(str(index_dir / "vectors.faiss"))
        background, background_queries = (np.load(index_dir / name, allow_pickle=False) for name in BACKGROUND_FILES)
        sparse = None
        if want_sparse:
            from scipy.sparse import load_npz

            sparse = load_npz(index_dir / SPARSE_FILE).tocsr()
    except Exception as exc:  # corrupt content that still matched its hash (hand-edited manifest)
        raise IndexInvalid(index_dir, f"unreadable index ({type(exc).__name__}: {exc})") from exc
    if len(passages) != manifest.get("passages"):
        raise IndexInvalid(index_dir / "passages.jsonl", "passage count", manifest.get("passages"), len(passages))
    if vectors.ntotal != len(units) or vectors.d != expected.get("dimension", vectors.d):
        raise IndexInvalid(index_dir / "vectors.faiss", "vector count/dimension", (len(units), expected.get("dimension")), (vectors.ntotal, vectors.d))
    if sparse is not None and sparse.shape[0] != len(units):
        raise IndexInvalid(index_dir / SPARSE_FILE, "sparse row count", len(units), sparse.shape[0])
    for name, array in zip(BACKGROUND_FILES, (background, background_queries)):
        if array.ndim != 2 or array.shape[1] != vectors.d or array.shape[0] != background.shape[0]:
            raise IndexInvalid(index_dir / name, "background shape", (background.shape[0], vectors.d), array.shape)
    return IndexData(articles, passages, [], units, vectors, manifest, background, sparse, background_queries)


def load_background(index_dir: Path, expected: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """The background vectors (as passages, as questions) of the index at ``index_dir`` when it was
    built by this engine version with the model, dimension and background sentences in
    ``expected``; otherwise None.

    Only the manifest fields they depend on and their own files' hashes are checked, so they
    survive a change of the articles (or of the rest of a damaged index)."""
    index_dir = Path(index_dir)
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        if any(manifest.get(key) != expected.get(key) for key in ("engine_version", "model", "dimension", "background_hash")):
            return None
        arrays = []
        for name in BACKGROUND_FILES:
            path = index_dir / name
            if _sha256(path) != manifest.get("files", {}).get(name):
                return None
            arrays.append(np.load(path, allow_pickle=False))
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.debug("no reusable background vectors in %s: %s", index_dir, exc)
        return None
    docs, questions = arrays
    if docs.ndim != 2 or docs.shape != questions.shape or docs.shape[1] != expected.get("dimension") or not len(docs):
        return None
    return docs.astype(np.float32, copy=False), questions.astype(np.float32, copy=False)


# ---- background vectors shipped with the code (index/data) ----------------------------------------
SHIPPED_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_MANIFEST = "background_vectors.json"
SHIPPED_FILES = ("background_vectors.npy", "background_queries_vectors.npy")


def load_shipped_background(expected: dict, directory: Path = SHIPPED_DIR) -> tuple[np.ndarray, np.ndarray] | None:
    """The background vectors precomputed for the default model (``index/data``), when their
    manifest names the model, dimension and background sentences in ``expected`` and each file
    has the content hash the manifest records; otherwise None (logged), and the build encodes them.
    Plain .npy, loaded without pickle."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / SHIPPED_MANIFEST).read_text(encoding="utf-8"))
        for key in ("model", "dimension", "background_hash"):
            if manifest.get(key) != expected.get(key):
                log.info("shipped background vectors are for another %s (%r): encoding the background", key, manifest.get(key))
                return None
        arrays = []
        for name in SHIPPED_FILES:
            if _sha256(directory / name) != manifest.get("files", {}).get(name):
                log.warning("shipped background vectors %s do not match their manifest: encoding the background", name)
                return None
            arrays.append(np.load(directory / name, allow_pickle=False))
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.info("no shipped background vectors (%s): encoding the background", exc)
        return None
    docs, questions = arrays
    if docs.ndim != 2 or docs.shape != questions.shape or docs.shape[1] != expected.get("dimension") \
            or docs.shape[0] != manifest.get("count"):
        log.warning("shipped background vectors have shape %s: encoding the background", docs.shape)
        return None
    return docs.astype(np.float32, copy=False), questions.astype(np.float32, copy=False)


def write_shipped_background(embedder, directory: Path = SHIPPED_DIR) -> dict:
    """Encode the background sentences with ``embedder`` (as passages and as questions) and write
    them with their manifest (``article-bot background``)."""
    from .background import background_hash, background_sentences

    texts = list(background_sentences())
    builder = embedder.builder()
    docs, questions = builder.encode_documents(texts), builder.encode_queries(texts)
    directory = Path(directory)
    for name, array in zip(SHIPPED_FILES, (docs, questions)):
        np.save(directory / name, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    manifest = {"model": embedder.name, "dimension": int(embedder.dim), "background_hash": background_hash(),
                "count": len(texts), "files": {name: _sha256(directory / name) for name in SHIPPED_FILES}}
    (directory / SHIPPED_MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest
