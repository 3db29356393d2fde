"""Whole-process side-by-side of `seqrec stats` with pandas and polars on one `user item` file
(issue 16): each tool runs as its own process, the tools alternating, `--repeat` rounds; wall
time and peak resident memory (ru_maxrss from wait4) per run; medians, ratios and the
statistics each tool printed. Writes the figures as JSON and prints a Markdown table.

With --pause S every run starts S seconds after the previous one ended: on a VM that hands freed memory
back to its host (virtio-balloon free page reporting) a process started after a pause gets its memory
anew from the host, as a user's first command of the day does; back to back it reuses what the last
run freed. The two protocols can rank memory strategies differently, so `scripts/bench data` runs both.

Usage: python3 data_bench.py --seqrec BIN --file FILE [--python VENV_PYTHON] [--repeat 5] [--pause 0] [--json OUT]
Only the standard library is needed here; pandas/polars are run with --python (skipped if absent).
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, env=None):
    """Runs cmd; returns (seconds, peak RSS bytes, stdout)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err.decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss * 1024, out.decode()


def seqrec_stats_line(out):
    """users items interactions mean median tail from `seqrec stats` output."""
    row = [c.strip() for c in out.splitlines()[2].strip("|").split("|")]
    return " ".join([row[1].replace(",", ""), row[2].replace(",", ""), row[3].replace(",", ""), row[4], row[5],
                     row[6].rstrip("%")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seqrec", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--python")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pause", type=float, default=0, help="seconds of idleness before every run")
    ap.add_argument("--json")
    a = ap.parse_args()
    size = os.path.getsize(a.file)
    cache = tempfile.mkdtemp(prefix="seqrec-data-bench-cache-")
    fresh = tempfile.mkdtemp(prefix="seqrec-data-bench-fresh-")
    tools = {
        "seqrec stats --no-cache": [a.seqrec, "stats", a.file, "--no-cache"],
        "seqrec stats, first load (parses, writes the dataset cache)": [a.seqrec, "stats", a.file, "--cache-dir", fresh],
        "seqrec stats, second load (dataset cache)": [a.seqrec, "stats", a.file, "--cache-dir", cache],
    }
    if a.python and os.path.exists(a.python):
        peers = os.path.join(HERE, "data_peers.py")
        for t in ["pandas", "polars", "pandas-pyarrow"]:
            tools[t] = [a.python, peers, t, a.file]
    run(tools["seqrec stats, second load (dataset cache)"])   # writes the cache entry
    times = {t: [] for t in tools}
    peaks = {t: [] for t in tools}
    outputs = {}
    for _ in range(a.repeat):
        for t, cmd in tools.items():
            if "first load" in t:
                shutil.rmtree(fresh, ignore_errors=True)
            if a.pause > 0:
                time.sleep(a.pause)
            s, rss, out = run(cmd)
            times[t].append(s)
            peaks[t].append(rss)
            outputs[t] = seqrec_stats_line(out) if t.startswith("seqrec") else out.strip()
    med = {t: statistics.median(v) for t, v in times.items()}
    peers = [t for t in ("pandas", "polars") if t in med]
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(fresh, ignore_errors=True)
    best = min((med[t] for t in peers), default=None)
    threads = os.environ.get("SEQREC_THREADS", str(os.cpu_count()))
    protocol = f"each run {a.pause:g} s after the previous one" if a.pause > 0 else "back to back"
    lines = [f"`{os.path.basename(a.file)}`: {size / 1e6:.0f} MB; {a.repeat} alternating rounds, {protocol}; "
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, SEQREC_THREADS={threads}", "",
             "| tool | wall time, whole process (median; min–max) | peak memory | × file size | faster-peer time ÷ this | statistics printed |",
             "| --- | --- | --- | --- | --- | --- |"]
    for t in tools:
        ratio = f"{best / med[t]:.2f}×" if best else "—"
        lines.append(f"| {t} | {med[t]:.2f} s ({min(times[t]):.2f}–{max(times[t]):.2f}) | {max(peaks[t]) / 1e6:.0f} MB | "
                     f"{max(peaks[t]) / size:.2f} | {ratio} | {outputs[t]} |")
    print("\n".join(lines))
    agree = len({o for o in outputs.values()}) == 1
    print(f"\nall tools printed the same statistics: {'yes' if agree else 'NO'}")
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "commit": commit or "unknown",
                       "file": a.file, "bytes": size, "repeat": a.repeat, "pauseSeconds": a.pause, "threads": threads,
                       "seconds": times, "peakBytes": peaks, "medians": med, "statistics": outputs,
                       "statisticsAgree": agree}, f, indent=1)


if __name__ == "__main__":
    main()
