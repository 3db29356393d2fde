"""`scripts/bench compare` (issue 15): SeqRec's training, evaluation and scoring benchmarks beside
PyTorch (torch_bench.py) and FAISS (faiss_bench.py), the two sides alternating in one run, `--rounds`
times; prints one table of medians, ratios and ceiling shares, writes every record as JSON and can
regenerate the README's performance section from that JSON (never typed by hand).

    python3 bench_compare.py --bench-dir Benchmarks/.build/release [--python .venv-bench/bin/python]
        [--rounds 2] [--runs 5] [--quick] --json experiments/bench/DATE.json [--readme README.md]
    python3 bench_compare.py --from experiments/bench/DATE.json --readme README.md

Only the standard library is needed here; the peers run under --python (skipped when it lacks
torch or faiss: the table then shows SeqRec alone and says so).
"""
import argparse, datetime, json, os, platform, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRAIN = [  # work id, description, target ratio to the best PyTorch
    ("gsasrec", "gSASRec port step (L 200, d 128, 256 negatives/position, gBCE)", 15),
    ("small", "SASRec small step (L 50, d 64, 1 negative, BCE)", 3),
    ("softmax", "full softmax step (3,416 items, L 200, d 64)", 4),
    ("eval", "512-user evaluation, filter seen, top-10 (port config)", 5),
]
BEGIN, END = "<!-- bench-compare:begin -->", "<!-- bench-compare:end -->"


def run_json(cmd, env=None):
    """Runs cmd with `--json TMP` appended; returns its records (stderr/stdout pass through)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    try:
        print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd + ["--json", path], check=True, env=env, stdout=sys.stderr)
        with open(path) as f:
            return json.load(f)
    finally:
        os.unlink(path)


def has_module(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def measure(a):
    bench = lambda name: os.path.join(a.bench_dir, name)
    runs = "3" if a.quick else str(a.runs)
    queries = "20" if a.quick else "50"
    cases = "8:1e6,8:1e7,64:1e6" if a.quick else "8:1e6,8:1e7,8:1e8,64:1e6"
    torch = a.python and has_module(a.python, "torch")
    faiss = a.python and has_module(a.python, "faiss")
    threads = os.environ.get("SEQREC_THREADS", str(os.cpu_count()))
    records = []
    for r in range(a.rounds):
        def tag(recs):
            for x in recs:
                x["round"] = r + 1
            records.extend(recs)
        tag(run_json([bench("seqrec-model-bench"), "--data", a.data, "--only", "gsasrec,small,softmax,eval", "--runs", runs]))
        if torch:
            tag(run_json([a.python, os.path.join(HERE, "torch_bench.py"), "--data", a.data, "--runs", runs,
                          "--threads", threads] + (["--no-compile"] if a.quick else [])))
        tag(run_json([bench("seqrec-scoring-bench"), "--compare-cases", cases, "--compare-prune", "1e6", "--queries", queries,
                      "--prune-queries", "100" if a.quick else "400"]))
        if faiss:
            tag(run_json([a.python, os.path.join(HERE, "faiss_bench.py"), "--cases", cases, "--queries", queries,
                          "--threads", threads]))
    if not a.quick:  # one process, 8 GB of codes: SeqRec alone (FAISS would need the same again)
        for x in run_json([bench("seqrec-scoring-bench"), "--compare-cases", "8:1e9", "--queries", "20"]):
            x["round"] = 1
            records.append(x)
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine()) \
        if os.path.exists("/proc/cpuinfo") else platform.machine()
    return {"date": datetime.date.today().isoformat(), "git_commit": git, "cpu": cpu, "cores": os.cpu_count(),
            "threads": int(threads), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "unset"),
            "rounds": a.rounds, "quick": a.quick, "peers": {"pytorch": bool(torch), "faiss": bool(faiss)},
            "records": records}


def summary(result):
    """(work, side) → median over rounds of each round's median; also the spread."""
    groups = {}
    for x in result["records"]:
        if "median_ms" in x:
            groups.setdefault((x["work"], x["side"]), []).append(x)
    out = {}
    for key, xs in groups.items():
        meds = [x["median_ms"] for x in xs]
        out[key] = {"median_ms": statistics.median(meds), "low": min(meds), "high": max(meds), "records": xs}
    return out


def figure(result, work, key):
    vals = [x[key] for x in result["records"] if x["work"] == work and key in x]
    return statistics.median(vals) if vals else None


def ms(v):
    if v is None:
        return "—"
    return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms" if v >= 10 else f"{v:.2f} ms" if v >= 1 else f"{v:.3f} ms"


def tables(result):
    s = summary(result)
    ceiling = figure(result, "sgemm 2048", "gflops")
    bandwidth = figure(result, "memory read bandwidth", "gbps")
    get = lambda w, side: s.get((w, side), {}).get("median_ms")
    lines = [f"Measured {result['date']} at commit {result['git_commit']} on {result['cpu']} ({result['cores']} cores), "
             f"{result['threads']} threads, OPENBLAS_CORETYPE={result['openblas_coretype']}; medians over "
             f"{result['rounds']} alternated round(s) of each side's median. sgemm 2048³ ceiling of this run: "
             f"{ceiling:.0f} GF/s; memory read bandwidth: {bandwidth:.1f} GB/s.", ""]
    if result.get("quick"):
        lines += ["(`--quick`: fewer runs and cases, `torch.compile` not run — ratios are against eager only.)", ""]
    if not result["peers"]["pytorch"]:
        lines += ["(PyTorch was not installed: `scripts/bench compare --setup` creates .venv-bench with it.)", ""]
    lines += ["| work | PyTorch eager | PyTorch `torch.compile` | SeqRec | ratio to the best PyTorch (target) | share of sgemm ceiling |",
              "| --- | --- | --- | --- | --- | --- |"]
    for work, text, target in TRAIN:
        eager, comp, ours = get(work, "pytorch eager"), get(work, "pytorch compile"), get(work, "seqrec")
        best = min([v for v in (eager, comp) if v is not None], default=None)
        ratio = f"{best / ours:.1f}× (≥ {target}×: {'met' if best / ours >= target else 'not met'})" if best and ours else "—"
        share = figure(result, work, "ceiling_share")
        lines.append(f"| {text} | {ms(eager)} | {ms(comp)} | {ms(ours)} | {ratio} | "
                     f"{'—' if share is None else f'{100 * share:.0f} %'} |")
    lines += ["", "| scoring, one query, d 512, b 256, K 10 | FAISS IndexPQ (IP) | SeqRec PQTopK, scalar scan | SeqRec PQTopK "
              "| ratio to FAISS (target) | memory-bound floor (codes ÷ bandwidth) | peak RSS |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    works = sorted({w for (w, side) in s if w.startswith("pq ")}, key=lambda w: (int(w.split()[1][1:]), float(w.split()[2])))
    for w in works:
        faiss, scalar, ours = get(w, "faiss IndexPQ"), get(w, "seqrec PQTopK scalar scan"), get(w, "seqrec PQTopK")
        m = int(w.split()[1][1:])
        target = 8 if m == 8 else 3
        ratio = f"{faiss / ours:.1f}× (≥ {target}×: {'met' if faiss / ours >= target else 'not met'})" if faiss and ours else "—"
        rec = s[(w, "seqrec PQTopK")]["records"][0]
        floor = rec["catalogue_bytes"] / (bandwidth * 1e9) * 1e3
        extra = ""
        if w == "pq m8 1e9":
            extra = f" (target ≤ 400 ms in ≤ 9 GB: {'met' if ours <= 400 and rec['peak_rss_bytes'] <= 9e9 else 'not met'})"
        lines.append(f"| m {m}, {w.split()[2]} items | {ms(faiss)} | {ms(scalar)} | {ms(ours)}{extra} | {ratio} | {ms(floor)} | "
                     f"{rec['peak_rss_bytes'] / 1e9:.2f} GB |")
    prune = sorted({side for (w, side) in s if w == "structured 1e6"})
    if prune:
        pq = get("structured 1e6", "seqrec PQTopK")
        scalar = get("structured 1e6", "seqrec PQTopK scalar scan")
        lines += ["", "| structured generator, 1e6 items, K 10 | median | speed-up over PQTopK (target ≥ 1.5× at BS 1–2) "
                  "| speed-up over PQTopK's scalar scan (thesis Algorithm 2) |", "| --- | --- | --- | --- |"]
        for side in ["seqrec PQTopK", "seqrec PQTopK scalar scan"] + [p for p in prune if "RecJPQPrune" in p]:
            v = get("structured 1e6", side)
            if v is None:
                continue
            lines.append(f"| {side.replace('seqrec ', '')} | {ms(v)} | {pq / v:.2f}× | "
                         f"{'—' if scalar is None else f'{scalar / v:.2f}×'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-dir", default=os.path.join(ROOT, "Benchmarks/.build/release"))
    ap.add_argument("--python")
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/datasets/ml1m-gsasrec"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--from", dest="source")
    ap.add_argument("--readme")
    a = ap.parse_args()
    if a.source:
        with open(a.source) as f:
            result = json.load(f)
        source = a.source
    else:
        result = measure(a)
        source = a.json
        if a.json:
            tmp = a.json + ".tmp"
            with open(tmp, "w") as f:
                json.dump(result, f, indent=1)
            os.replace(tmp, a.json)
    text = tables(result)
    print(text)
    if a.readme:
        with open(a.readme) as f:
            readme = f.read()
        if BEGIN not in readme or END not in readme:
            sys.exit(f"{a.readme} has no {BEGIN} … {END} section to regenerate")
        head, rest = readme.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        note = f"<!-- generated by scripts/bench compare from {os.path.relpath(source, ROOT) if source else 'a run'}; do not edit -->"
        with open(a.readme + ".tmp", "w") as f:
            f.write(head + BEGIN + "\n" + note + "\n" + text + "\n" + END + tail)
        os.replace(a.readme + ".tmp", a.readme)
        print(f"\n{a.readme}: performance section regenerated", file=sys.stderr)


if __name__ == "__main__":
    main()
