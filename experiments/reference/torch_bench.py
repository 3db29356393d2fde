"""PyTorch side of `scripts/bench compare` (issue 15): training-step and evaluation times of the
port-architecture SASRec / gSASRec model in gsasrec_torch.py on real ML-1M batches, eager and
with torch.compile, for the configurations seqrec-model-bench times. Not part of SeqRec.

    python torch_bench.py --data ../shared/datasets/ml1m-gsasrec --only gsasrec,small,softmax,eval \
        --runs 5 --threads 2 [--no-compile] --json OUT

Each work is timed as the median of --runs steps after 2 warm-up steps (compile: after the first,
compiling, step, whose time is reported separately). Writes a JSON list of records.
"""
import argparse, json, os, statistics, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gsasrec_torch import SASRec, gbce, read  # noqa: E402

CONFIGS = {
    # name: (length, dim, loss, negatives)
    "gsasrec": (200, 128, "gbce", 256),
    "small": (50, 64, "bce", 1),
    "softmax": (200, 64, "softmax", 0),
}


def window(seq, l):
    seq = seq[-l:]
    return [0] * (l - len(seq)) + seq


def train_work(name, train, n, a, compiled):
    length, dim, loss_kind, k = CONFIGS[name]
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    model = SASRec(n, length, dim, 2, 1, 0.5)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    users = [u for u, s in enumerate(train) if len(s) >= 2]
    alpha = max(k, 1) / (n - 1)
    beta = alpha * ((1 - 1 / alpha) * 0.75 + 1 / alpha)

    def loss_fn(inputs, labels, negs):
        h = model(inputs)
        mask = (labels != 0)
        if loss_kind == "softmax":
            logits = h @ model.output.weight.T
            logits[..., 0] = float("-inf")
            ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none")
            return (ce * mask.reshape(-1)).sum() / mask.sum()
        pos = (h * model.output(labels)).sum(-1)
        neg = (h.unsqueeze(2) * model.output(negs)).sum(-1)
        if loss_kind == "gbce":
            per = gbce(pos, neg, beta)
        else:
            logits = torch.cat([pos.unsqueeze(-1), neg], dim=-1)
            target = torch.zeros_like(logits)
            target[..., 0] = 1
            per = F.binary_cross_entropy_with_logits(logits, target, reduction="none").mean(-1)
        m = mask.to(per.dtype)
        return (per * m).sum() / m.sum()

    fn = torch.compile(loss_fn) if compiled else loss_fn

    def step():
        batch = [window(train[u], length + 1) for u in rng.choice(users, 128)]
        seq = torch.tensor(batch)
        inputs, labels = seq[:, :-1], seq[:, 1:]
        negs = torch.from_numpy(rng.integers(1, n + 1, size=(*labels.shape, max(k, 1))))
        start = time.perf_counter()
        loss = fn(inputs, labels, negs)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return time.perf_counter() - start

    first = step()
    step()
    times = [step() for _ in range(a.runs)]
    return {"median_ms": statistics.median(times) * 1e3, "runs_ms": [t * 1e3 for t in times],
            "first_step_ms": first * 1e3}


def eval_work(train, val_in, n, a):
    """Scores all items for the 512 validation users (port config: L 200, d 128), filters seen, top-10."""
    torch.manual_seed(1)
    model = SASRec(n, 200, 128, 2, 1, 0.5)
    model.eval()

    def run():
        start = time.perf_counter()
        with torch.no_grad():
            for s in range(0, len(val_in), 128):
                chunk = val_in[s:s + 128]
                h = model(torch.tensor([window(x, 200) for x in chunk]))[:, -1, :]
                scores = h @ model.output.weight.T
                scores[:, 0] = float("-inf")
                scores[:, n + 1:] = float("-inf")
                for r, hist in enumerate(chunk):
                    scores[r, torch.tensor(hist)] = float("-inf")
                torch.topk(scores, 10, dim=1)
        return time.perf_counter() - start

    run()
    times = [run() for _ in range(a.runs)]
    return {"median_ms": statistics.median(times) * 1e3, "runs_ms": [t * 1e3 for t in times]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/datasets/ml1m-gsasrec")
    ap.add_argument("--only", default="gsasrec,small,softmax,eval")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    train = read(a.data + "/train/input.txt")
    val_in = read(a.data + "/val/input.txt")
    n = max(max(max(s) for s in train if s), max(max(s) for s in val_in))
    records = []
    for name in a.only.split(","):
        if name == "eval":
            r = eval_work(train, val_in, n, a)
            records.append({"work": "eval", "side": "pytorch eager", **r})
            print(f"eval: {r['median_ms']:.1f} ms", file=sys.stderr)
            continue
        for compiled in ([False] if a.no_compile else [False, True]):
            r = train_work(name, train, n, a, compiled)
            side = "pytorch compile" if compiled else "pytorch eager"
            records.append({"work": name, "side": side, **r})
            print(f"{name} {side}: {r['median_ms']:.1f} ms", file=sys.stderr)
    records.append({"work": "_environment", "side": "pytorch", "torch": torch.__version__,
                    "threads": torch.get_num_threads()})
    with open(a.json, "w") as f:
        json.dump(records, f, indent=1)


if __name__ == "__main__":
    main()
