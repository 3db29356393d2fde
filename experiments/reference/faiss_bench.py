"""FAISS side of `scripts/bench compare` (issue 15): IndexPQ with inner product, b = 256 (8 bits),
d = 512, one query at a time, top-10, on simulated catalogues like seqrec-scoring-bench's
(uniformly random codes, as thesis §7.1.5). The quantiser is trained on 20,000 random vectors;
the codes are then set directly (encoding 1e8 vectors of d 512 would take 200 GB). Not part of SeqRec.

    python faiss_bench.py --cases 8:1e6,8:1e7,8:1e8,64:1e6 --queries 50 --threads 2 --json OUT
"""
import argparse, json, statistics, sys, time
import numpy as np
import faiss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="8:1e6,8:1e7,8:1e8,64:1e6")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    faiss.omp_set_num_threads(a.threads)
    d = 512
    rng = np.random.default_rng(7)
    queries = rng.standard_normal((a.queries + 3, d)).astype("float32")
    records = []
    for case in a.cases.split(","):
        m, n = case.split(":")
        m, n = int(m), int(float(n))
        index = faiss.IndexPQ(d, m, 8, faiss.METRIC_INNER_PRODUCT)
        index.train(rng.standard_normal((20_000, d)).astype("float32"))
        codes = rng.integers(0, 256, size=n * m, dtype=np.uint8)
        faiss.copy_array_to_vector(codes, index.codes)
        index.ntotal = n
        del codes
        for q in queries[:3]:
            index.search(q[None, :], 10)
        times = []
        for q in queries[3:]:
            start = time.perf_counter()
            index.search(q[None, :], 10)
            times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        r = {"work": f"pq m{m} {n:.0e}".replace("+0", ""), "side": "faiss IndexPQ", "median_ms": statistics.median(times),
             "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))], "mean_ms": statistics.fmean(times)}
        records.append(r)
        print(f"{r['work']}: {r['median_ms']:.3f} ms", file=sys.stderr)
        del index
    records.append({"work": "_environment", "side": "faiss", "faiss": faiss.__version__, "threads": a.threads})
    with open(a.json, "w") as f:
        json.dump(records, f, indent=1)


if __name__ == "__main__":
    main()
