"""Scale: how the index and the engine's ranking behave on corpora of 1k, 10k and 100k passages.

The corpora are generated here. Passage texts recombine sentences of the article and of the
background corpus, with the article's distribution of sentences per passage; like the engine,
each passage is embedded as its sentences plus itself (when it has more than one sentence), so
the number of vectors is about three times the number of passages.

Embedding 100k passages with e5 on two cores takes far too long for a benchmark, so:

* the e5 encode rate (dense + sparse, as ``build_index`` does it) is measured on a sample of
  generated passages, and a full build's embedding time is extrapolated from it;
* the unit vectors are SYNTHETIC: each is a random convex mix of three real e5 vectors (the
  sample's and the article's), plus Gaussian noise, L2-normalised; each unit's sparse row is the
  real sparse row of its main component. Queries are the real eval questions (e5-encoded) plus
  synthetic queries drawn the same way.

Per size: FAISS build time, size on disk, single-query latency at k=10 and at the engine's k=512
(DENSE_CANDIDATES) for exact search (IndexFlatIP), HNSW (several efSearch), IVF and HNSW with
8-bit scalar quantisation, with recall@10 against exact search. Then the engine's whole ranking
step (``Engine.answer_vector``: dense search + hubness, sparse, BM25, fusion, abstention; the
query encode excluded) on the same corpus with an exact and with an HNSW index, its memory and
its index size on disk. The switch point for ``store.APPROX_THRESHOLD`` is derived from the curve.

    .venv/bin/python bench/scale.py [--quick] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import gc
import json
import math
import shutil
import tempfile
import time
from pathlib import Path

import common
import numpy as np

from index import store

K_ENGINE = 512  # index.engine.DENSE_CANDIDATES
EF_SEARCH = (16, 32, 64, 128, 256)
NOISE = 0.2
DENSE_BUDGET_MS = 5.0  # what dense search may take of the warm p95 budget (30 ms) before HNSW pays
PIPELINE_GOAL_MS = 50.0  # query p95 at 100k passages


# ---- the generated corpus -----------------------------------------------------------------------
def sentence_pool(engine) -> list[str]:
    from index.background import background_sentences

    return [s.text for group in engine.article.sentences for s in group] + list(background_sentences())


def make_corpus(engine, n: int, rng: np.random.Generator):
    """``n`` passages of recombined sentences; their sentences and units (sentence units, then
    the whole passage when it has several sentences), as ``build_index`` lays them out."""
    from index.schema import Passage, Sentence

    pool = sentence_pool(engine)
    lengths = np.array([len(g) for g in engine.article.sentences])
    passages, sentences, units = [], [], []
    for pid in range(n):
        chosen = [pool[i] for i in rng.integers(0, len(pool), int(rng.choice(lengths)))]
        text, group, offset = " ".join(chosen), [], 0
        for j, s in enumerate(chosen):
            group.append(Sentence(pid, offset, offset + len(s), s))
            units.append(store.Unit(pid, j, offset, offset + len(s)))
            offset += len(s) + 1
        if len(group) > 1:
            units.append(store.Unit(pid, -1, 0, len(text)))
        passages.append(Passage(id=pid, article_id="synthetic", kind="paragraph", section="", text=text))
        sentences.append(group)
    return passages, sentences, units


def unit_texts(passages, units) -> list[str]:
    return [passages[u.passage_id].text[u.start:u.end] for u in units]


def encode_rate(engine, n: int, rng: np.random.Generator) -> tuple[dict, np.ndarray, object]:
    """Embed ``n`` generated passages the way build_index does (dense + sparse per unit); return
    the rate and the vectors (the pool the synthetic vectors are drawn from)."""
    passages, _, units = make_corpus(engine, n, rng)
    texts = unit_texts(passages, units)
    with common.timed() as dense_t:
        dense = engine.embedder.encode_documents(texts)
    with common.timed() as sparse_t:
        sparse = engine.embedder.encode_sparse(texts)
    total = dense_t.seconds + sparse_t.seconds
    rate = {"passages": n, "units": len(units), "dense_s": round(dense_t.seconds, 3), "sparse_s": round(sparse_t.seconds, 3),
            "passages_per_s": round(n / total, 2), "units_per_s": round(len(units) / total, 2),
            "ms_per_unit_dense": round(1000 * dense_t.seconds / len(units), 2),
            "ms_per_unit_sparse": round(1000 * sparse_t.seconds / len(units), 2)}
    return rate, dense, sparse


def synthetic_vectors(pool: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` unit vectors: Dirichlet mixes of three pool vectors plus noise, normalised; and each
    one's main component (for its sparse row)."""
    picks = rng.integers(0, len(pool), (n, 3))
    weights = rng.dirichlet((1.0, 1.0, 1.0), n).astype(np.float32)
    out = np.empty((n, pool.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):  # in slices: keeps the temporaries small at 300k vectors
        sl = slice(start, start + 50_000)
        v = np.einsum("nk,nkd->nd", weights[sl], pool[picks[sl]])
        v += rng.standard_normal(v.shape, dtype=np.float32) * (NOISE / math.sqrt(pool.shape[1]))
        out[sl] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out, picks[np.arange(n), weights.argmax(axis=1)]


def store_hnsw(dim: int) -> dict:
    """The HNSW parameters ``store.make_faiss`` uses (read from an index it makes)."""
    index = store.make_faiss(np.zeros((2, dim), np.float32), approx_threshold=0)
    return {"M": index.hnsw.nb_neighbors(1), "efConstruction": index.hnsw.efConstruction, "efSearch": index.hnsw.efSearch}


# ---- FAISS ------------------------------------------------------------------------------------------
def disk_size(index) -> int:
    import faiss

    with tempfile.NamedTemporaryFile(dir=common.RESULTS, suffix=".faiss") as f:
        faiss.write_index(index, f.name)
        return Path(f.name).stat().st_size


def search_each(index, queries: np.ndarray, k: int) -> tuple[dict, np.ndarray]:
    """One query at a time, as the engine searches; latency percentiles and the ids."""
    seconds, ids = [], []
    for q in queries[:5]:  # warm: first touches of the index memory are not a query's cost
        index.search(q.reshape(1, -1), k)
    for q in queries:
        start = time.perf_counter()
        _, found = index.search(q.reshape(1, -1), k)
        seconds.append(time.perf_counter() - start)
        ids.append(found[0])
    return common.percentiles(seconds), np.array(ids)


def recall(found: np.ndarray, exact: np.ndarray, k: int) -> float:
    hits = sum(len(set(f[:k]) & set(e[:k])) for f, e in zip(found, exact))
    return round(hits / (k * len(exact)), 4)


def index_rows(name: str, index, build_s: float, queries: np.ndarray, exact: dict, settings: list[tuple]) -> list[dict]:
    """Rows for one built index: per search setting (label, setter), latency at k=10 and k=512
    and recall@10 (top 10 of each) against exact search."""
    size = disk_size(index)
    rows = []
    for label, apply in settings:
        apply(index)
        t10, ids10 = search_each(index, queries, 10)
        t512, ids512 = search_each(index, queries, min(K_ENGINE, index.ntotal))
        rows.append({"index": name, "search": label, "build_s": round(build_s, 2), "disk_mb": round(size / 2**20, 2),
                     "k10": t10, "k512": t512, "recall@10": recall(ids10, exact[10], 10),
                     "recall@10_at_k512": recall(ids512, exact[10], 10),
                     "recall@512": recall(ids512, exact[K_ENGINE], min(K_ENGINE, index.ntotal))})
    return rows


def faiss_rows(vectors: np.ndarray, queries: np.ndarray, args) -> tuple[list[dict], dict]:
    import faiss

    n, dim = vectors.shape
    rows = []
    with common.timed() as t:
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
    exact = {k: search_each(flat, queries, min(k, n))[1] for k in (10, K_ENGINE)}
    rows += index_rows("exact (IndexFlatIP)", flat, t.seconds, queries, exact, [("-", lambda i: None)])
    built = {"exact": flat}
    for m, ef_construction in args.hnsw:
        with common.timed() as t:
            hnsw = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = ef_construction
            hnsw.add(vectors)
        settings = [(f"efSearch={ef}", lambda i, ef=ef: setattr(i.hnsw, "efSearch", ef)) for ef in args.ef]
        rows += index_rows(f"HNSW M={m} efC={ef_construction}", hnsw, t.seconds, queries, exact, settings)
        built.setdefault("hnsw", hnsw)
        print(f"[bench]   HNSW M={m} efC={ef_construction}: built in {t.seconds:.1f}s", flush=True)
    if args.ivf:
        nlist = max(16, int(4 * math.sqrt(n)))
        with common.timed() as t:
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
            ivf.train(vectors[np.random.default_rng(0).choice(n, min(n, 40 * nlist), replace=False)])
            ivf.add(vectors)
        settings = [(f"nprobe={p}", lambda i, p=p: setattr(i, "nprobe", p)) for p in (8, 32) if p <= nlist]
        rows += index_rows(f"IVF nlist={nlist}", ivf, t.seconds, queries, exact, settings)
    if args.sq8:
        m, ef_construction = args.hnsw[0]
        with common.timed() as t:
            sq = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, m, faiss.METRIC_INNER_PRODUCT)
            sq.hnsw.efConstruction = ef_construction
            sq.train(vectors)
            sq.add(vectors)
        rows += index_rows(f"HNSW-SQ8 M={m} efC={ef_construction}", sq, t.seconds, queries, exact,
                           [(f"efSearch={args.store_ef}", lambda i: setattr(i.hnsw, "efSearch", args.store_ef))])
    return rows, built


# ---- the engine's ranking step at scale -------------------------------------------------------------
def engine_rows(engine, corpus, vectors, sparse, built: dict, questions: list[str], n_queries: int) -> list[dict]:
    """``Engine.answer_vector`` on the generated corpus (exact and HNSW dense index): p50/p95,
    how long the engine takes to set itself up, its index size on disk, and its memory: the dense
    index, the sparse matrix and what the Engine builds on top (RSS growth while constructing it:
    BM25, lookup tables, Python objects; the passages themselves are made before and not counted)."""
    from index.engine import Engine, hubness
    from index.settings import EngineSettings

    passages, sentences, units = corpus
    qdense = engine.embed_queries(questions)
    qsparse = engine.embedder.encode_sparse(questions)
    background_q = engine.embed_queries(list(common_background()))
    hub = hubness(vectors, background_q)
    units = [store.Unit(u.passage_id, u.sentence, u.start, u.end, float(h)) for u, h in zip(units, hub)]
    sparse = sparse.tocsc()  # the layout the Engine keeps (one copy), so its construction adds none
    rows = []
    for label, index in (("exact", built["exact"]), (f"HNSW (store.make_faiss parameters)", built.get("hnsw"))):
        if index is None:
            continue
        gc.collect()
        before = common.rss_mb()
        with common.timed() as t:
            data = store.IndexData(list(engine.article.articles), passages, sentences, units, index, dict(engine.data.manifest),
                                   engine.data.background, sparse)
            big = Engine(EngineSettings(seeds_dir=common.SEEDS, index_dir=common.BENCH_INDEX), engine.embedder, data)
        setup_s, added_mb = t.seconds, common.rss_mb() - before
        sparse_mb = sum(a.nbytes for a in (sparse.data, sparse.indices, sparse.indptr)) / 2**20
        index_mb = disk_size(index) / 2**20  # a FAISS index takes about its file size in memory
        seconds = []
        for i in range(n_queries):
            j = i % len(questions)
            start = time.perf_counter()
            big.answer_vector(questions[j], qdense[j], 3, qsparse[j])
            seconds.append(time.perf_counter() - start)
        row = {"dense index": label, "answer_vector": common.percentiles(seconds), "engine_setup_s": round(setup_s, 2),
               "engine_structures_mb": round(added_mb, 1), "sparse_mb": round(sparse_mb, 1), "dense_index_mb": round(index_mb, 1),
               "memory_mb": round(added_mb + sparse_mb + index_mb, 1)}
        if label == "exact":  # the on-disk index once: identical apart from vectors.faiss
            row.update(save_and_size(data))
        rows.append(row)
        del big, data
    return rows


def common_background() -> tuple[str, ...]:
    from index.background import background_sentences

    return background_sentences()


def save_and_size(data) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=common.RESULTS))
    try:
        with common.timed() as t:
            store.save(data, tmp / "index")
        files = {p.name: p.stat().st_size for p in (tmp / "index").iterdir()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"save_s": round(t.seconds, 2), "disk_mb": round(sum(files.values()) / 2**20, 1),
            "disk_mb_by_file": {k: round(v / 2**20, 2) for k, v in sorted(files.items())}}


# ---- the switch point -----------------------------------------------------------------------------
def switch_point(per_size: list[dict], ef: int) -> dict:
    """Where exact search stops being the better choice: exact p95 at k=512 against the
    vector count (linear fit) crosses the dense-search budget, and where HNSW becomes faster."""
    pts = [(s["vectors"], next(r for r in s["faiss"] if r["index"].startswith("exact"))["k512"]["p95"]) for s in per_size]
    hnsw = [(s["vectors"], next((r["k512"]["p95"] for r in s["faiss"] if r["index"].startswith("HNSW M")
                                 and r["search"] == f"efSearch={ef}"), None)) for s in per_size]
    xs, ys = np.array([p[0] for p in pts], float), np.array([p[1] for p in pts], float)
    slope, intercept = np.polyfit(xs, ys, 1) if len(pts) > 1 else (ys[0] / xs[0], 0.0)
    budget_n = int((DENSE_BUDGET_MS - intercept) / slope) if slope > 0 else None
    faster = next((n for (n, e), (_, h) in zip(pts, hnsw) if h is not None and h < e), None)
    return {"exact_ms_per_100k_vectors": round(slope * 1e5, 3), "intercept_ms": round(float(intercept), 3),
            "budget_ms": DENSE_BUDGET_MS, "vectors_at_budget": budget_n, "hnsw_faster_from_vectors": faster,
            "hnsw_p95_ms_by_vectors": {n: h for n, h in hnsw}}


# ---- main ---------------------------------------------------------------------------------------
def parse_hnsw(text: str) -> list[tuple[int, int]]:
    return [tuple(int(x) for x in item.split(":")) for item in text.split(",") if item]


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="passage counts")
    p.add_argument("--sample", type=int, default=150, help="passages really embedded for the encode rate")
    p.add_argument("--queries", type=int, default=300, help="queries per measurement")
    p.add_argument("--hnsw", type=parse_hnsw, default=None,
                   help="M:efConstruction,... (default: store.make_faiss's, then 16:40); the first one feeds the engine")
    p.add_argument("--ef", type=lambda s: [int(x) for x in s.split(",")], default=list(EF_SEARCH))
    p.add_argument("--no-ivf", dest="ivf", action="store_false")
    p.add_argument("--no-sq8", dest="sq8", action="store_false")
    p.add_argument("--no-engine", dest="engine", action="store_false", help="skip the engine ranking step")
    args = p.parse_args()
    if args.quick:
        args.sizes, args.sample, args.queries, args.ef = "300,3000", 12, 40, [32, 128]
    sizes = [int(s) for s in args.sizes.split(",")]
    hnsw_params = store_hnsw(384)
    args.store_ef = hnsw_params["efSearch"]
    if args.hnsw is None:
        args.hnsw = [(hnsw_params["M"], hnsw_params["efConstruction"]), (16, 40)]
    run = common.Run.start("scale", args)
    rng = np.random.default_rng(7)

    import faiss

    embedder, _ = common.load_model()
    engine = common.open_engine(embedder)
    rate, sample_dense, sample_sparse = encode_rate(engine, args.sample, rng)
    print(f"[bench] e5 encode rate: {rate}", flush=True)
    article_dense = engine.data.vectors.reconstruct_n(0, engine.data.vectors.ntotal)
    from scipy.sparse import vstack

    pool = np.vstack([sample_dense, article_dense]).astype(np.float32)
    pool_sparse = vstack([sample_sparse, engine.data.sparse]).tocsr()
    questions = [it.question for items in common.eval_items().values() for it in items]
    real_q = engine.embed_queries(questions)
    synth_q, _ = synthetic_vectors(pool, max(0, args.queries - len(real_q)), rng)
    queries = np.vstack([real_q, synth_q])[: args.queries]

    units_per_passage = engine.data.vectors.ntotal / len(engine.article.passages)
    per_size = []
    partial = common.RESULTS / f"scale{'.quick' if args.quick else ''}.partial.json"
    for n in sizes:
        print(f"[bench] {n} passages", flush=True)
        corpus = make_corpus(engine, n, rng)
        vectors, main = synthetic_vectors(pool, len(corpus[2]), rng)
        top1 = real_q @ vectors[: min(len(vectors), 50_000)].T
        faiss_table, built = faiss_rows(vectors, queries, args)
        entry = {"passages": n, "vectors": len(vectors), "faiss": faiss_table,
                 "extrapolated_embed_s": round(n / rate["passages_per_s"], 1),
                 "question_top1_cosine_mean": round(float(top1.max(axis=1).mean()), 4)}
        if args.engine:
            if "hnsw" in built:
                built["hnsw"].hnsw.efSearch = hnsw_params["efSearch"]
            entry["engine"] = engine_rows(engine, corpus, vectors, pool_sparse[main], built, questions, args.queries)
        per_size.append(entry)
        del corpus, vectors, built
        gc.collect()
        partial.write_text(json.dumps({"per_size": per_size}, default=str))  # survives a crash at a larger size

    article_top1 = float((real_q @ article_dense.T).max(axis=1).mean())
    results = {"encode_rate": rate, "units_per_passage_article": round(units_per_passage, 2), "noise": NOISE,
               "queries": {"real_eval_questions": len(real_q), "synthetic": len(queries) - len(real_q)},
               "question_top1_cosine_mean_article": round(article_top1, 4),
               "faiss_threads": faiss.omp_get_max_threads(), "per_size": per_size,
               "switch": switch_point(per_size, hnsw_params["efSearch"]), "store_hnsw": hnsw_params,
               "current_threshold": store.APPROX_THRESHOLD}
    print_tables(results)
    run.save(results)
    partial.unlink(missing_ok=True)


def print_tables(results: dict) -> None:
    rows = []
    for s in results["per_size"]:
        for r in s["faiss"]:
            rows.append([s["passages"], s["vectors"], r["index"], r["search"], r["build_s"], r["disk_mb"],
                         r["k10"]["p95"], r["k512"]["p50"], r["k512"]["p95"], r["recall@10"], r["recall@10_at_k512"]])
    print(common.table(["passages", "vectors", "index", "search", "build s", "disk MB", "p95 k=10 ms",
                        "p50 k=512 ms", "p95 k=512 ms", "recall@10", "recall@10 (k=512)"], rows))
    rows = [[s["passages"], s["vectors"], e["dense index"], e["answer_vector"]["p50"], e["answer_vector"]["p95"],
             e["engine_setup_s"], e["memory_mb"], e.get("disk_mb", ""), s["extrapolated_embed_s"]]
            for s in results["per_size"] for e in s.get("engine", [])]
    if rows:
        print()
        print(common.table(["passages", "vectors", "dense index", "rank p50 ms", "rank p95 ms", "engine setup s",
                            "memory MB", "disk MB", "e5 embed s (extrapolated)"], rows))
    print(f"\nencode rate {results['encode_rate']['passages_per_s']} passages/s "
          f"({results['encode_rate']['units_per_s']} units/s, dense + sparse); switch: {results['switch']}")


if __name__ == "__main__":
    main()
