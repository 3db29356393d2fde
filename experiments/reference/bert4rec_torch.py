"""A PyTorch reference of SeqRec's BERT4Rec (Sources/SeqRecModels/Models/BERT4Rec.swift, trained by
item masking as Sources/SeqRecObjectives/Samplers/ItemMaskingSampler.swift), used only to time a
training step side by side with SeqRec's own model benchmark on the same data and sizes. Not part of
SeqRec; needs `pip install torch numpy`. Prints one line of JSON on stdout (progress goes to stderr).

    python experiments/reference/bert4rec_torch.py --data ../shared/datasets/ml1m-gsasrec \
        --length 200 --dim 64 --blocks 2 --heads 2 --batch 128 --threads 2 --bench-steps 10 [--compile]
"""
import argparse, json, math, statistics, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read(path):
    with open(path) as f:
        return [[int(x) for x in line.split()] for line in f if line.strip()]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Attention(nn.Module):
    """Separate Q/K/V projections (with bias), heads split from d, output projection, dropout on weights."""
    def __init__(self, d, heads, p_att):
        super().__init__()
        self.q, self.k, self.v, self.o = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.heads, self.drop = heads, nn.Dropout(p_att)

    def forward(self, x, mask):
        b, l, d = x.shape
        h, dh = self.heads, d // self.heads
        q = self.q(x).view(b, l, h, dh).transpose(1, 2)
        k = self.k(x).view(b, l, h, dh).transpose(1, 2)
        v = self.v(x).view(b, l, h, dh).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        scores = scores.masked_fill(~mask, float("-inf"))   # padded keys blocked; every row has a real key
        w = self.drop(torch.softmax(scores, dim=-1))
        return self.o((w @ v).transpose(1, 2).reshape(b, l, d))


class Block(nn.Module):
    """Post-LN (BERT): h = LN1(x + Drop(MHA(x))); out = LN2(h + Drop(W2 GELU(W1 h)))."""
    def __init__(self, d, heads, inner, p, p_att):
        super().__init__()
        self.att = Attention(d, heads, p_att)
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-12), nn.LayerNorm(d, eps=1e-12)
        self.ff1, self.ff2, self.drop = nn.Linear(d, inner), nn.Linear(inner, d), nn.Dropout(p)

    def forward(self, x, mask):
        h = self.ln1(x + self.drop(self.att(x, mask)))
        return self.ln2(h + self.drop(self.ff2(F.gelu(self.ff1(h)))))   # exact (erf) GELU, no inner dropout


class BERT4Rec(nn.Module):
    """Vocabulary N + 2 (0 = padding, 1..N items, N + 1 = [MASK]); right-aligned learned positions;
    MLM head dense d → d, GELU, LayerNorm, scored against the tied item table plus a per-item bias."""
    def __init__(self, n_items, length, d, blocks, heads, inner, p, p_att):
        super().__init__()
        self.n, self.length = n_items, length
        self.items = nn.Embedding(n_items + 2, d, padding_idx=0)
        self.positions = nn.Embedding(length, d)
        self.norm, self.drop = nn.LayerNorm(d, eps=1e-12), nn.Dropout(p)
        self.blocks = nn.ModuleList([Block(d, heads, inner, p, p_att) for _ in range(blocks)])
        self.head_dense, self.head_norm = nn.Linear(d, d), nn.LayerNorm(d, eps=1e-12)
        self.bias = nn.Parameter(torch.zeros(n_items + 2))
        for m in self.modules():                   # BERT's init: truncated normal (±2 std) 0.02, biases 0
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.items.weight[0].zero_()

    def forward(self, ids, positions):
        """Logits [M, N] over items 1..N for the M flat positions (b · L + column) of `ids` [B, L]."""
        b, l = ids.shape
        pos = torch.arange(self.length - l, self.length, device=ids.device).unsqueeze(0)   # rightmost = L − 1
        x = self.drop(self.norm(self.items(ids) + self.positions(pos)))
        mask = (ids != 0).view(b, 1, 1, l)
        for blk in self.blocks:
            x = blk(x, mask)
        h = x.reshape(b * l, -1)[positions]        # only masked positions go through the head
        h = self.head_norm(F.gelu(self.head_dense(h)))
        return h @ self.items.weight[1:self.n + 1].T + self.bias[1:self.n + 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/datasets/ml1m-gsasrec")
    ap.add_argument("--length", type=int, default=200)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--attention-dropout", type=float, default=0.2)
    ap.add_argument("--masking", type=float, default=0.2)
    ap.add_argument("--max-masks", type=int, default=20)
    ap.add_argument("--last-item-only", type=float, default=1 / 11)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--bench-steps", type=int, default=10)
    a = ap.parse_args()
    if a.bench_steps < 1:
        ap.error("--bench-steps must be at least 1")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    train = read(a.data + "/train/input.txt")
    val_in, val_out = read(a.data + "/val/input.txt"), [r[0] for r in read(a.data + "/val/output.txt")]
    n = max(max(s) for s in train if s)
    n = max(n, max(max(s) for s in val_in), max(val_out))
    mask_id, L = n + 1, a.length
    users = [u for u, s in enumerate(train) if len(s) >= 1]
    log(f"{len(users)} training users, {n} items, torch {torch.__version__}, {a.threads} threads")

    model = BERT4Rec(n, L, a.dim, a.blocks, a.heads, a.intermediate, a.dropout, a.attention_dropout)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    forward = torch.compile(model) if a.compile else model
    model.train()

    def sample():
        """Item masking: window = last L items left-padded; [MASK] the last item with prob. lastItemOnly,
        else n = min(maxMasks, real, max(1, round(len · p))) real positions without replacement."""
        inputs = np.zeros((a.batch, L), dtype=np.int64)
        positions, targets = [], []
        for b, u in enumerate(rng.choice(users, size=a.batch, replace=False)):
            seq = train[u]
            real = min(len(seq), L)
            inputs[b, L - real:] = seq[-real:]
            if rng.random() < a.last_item_only:
                chosen = [L - 1]
            else:
                k = min(a.max_masks, real, max(1, math.floor(len(seq) * a.masking + 0.5)))   # round half up
                chosen = np.sort(rng.choice(np.arange(L - real, L), size=k, replace=False))
            for i in chosen:
                positions.append(b * L + i)
                targets.append(inputs[b, i])
                inputs[b, i] = mask_id
        return torch.from_numpy(inputs), torch.tensor(positions), torch.tensor(targets) - 1   # items 1..N → 0..N−1

    def step():
        ids, positions, targets = sample()
        logits = forward(ids, positions)
        loss = F.cross_entropy(logits, targets)   # full softmax, mean over masked positions
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item(), len(targets)

    for i in range(2):
        t = time.perf_counter()
        loss, _ = step()
        log(f"warm-up {i + 1}: loss {loss:.4f}, {1000 * (time.perf_counter() - t):.1f} ms")
    times, masked = [], []
    for i in range(a.bench_steps):
        t = time.perf_counter()
        loss, m = step()
        times.append(1000 * (time.perf_counter() - t))
        masked.append(m)
        log(f"step {i + 1}: loss {loss:.4f}, {m} masked, {times[-1]:.1f} ms")
    print(json.dumps({"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
                      "steps": a.bench_steps, "torch": torch.__version__, "threads": a.threads,
                      "compile": bool(a.compile), "masked_per_batch": sum(masked) / len(masked)}))


if __name__ == "__main__":
    main()
