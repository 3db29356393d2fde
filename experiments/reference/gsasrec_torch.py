"""A PyTorch reference of SASRec / gSASRec written from ../shared/docs/reference-facts.md §1.1, §1.4,
§1.5 and §2.1 (the official gSASRec PyTorch port's architecture, sampler, loss and protocol), used to
compare SeqRec's learning curves with PyTorch on the same data, step for step. Not part of SeqRec;
needs `pip install torch numpy`.

    python experiments/reference/gsasrec_torch.py --data ../shared/datasets/ml1m-gsasrec \
        --dim 64 --length 50 --negatives 256 --t 0.75 --steps 1000 --eval-every 100
"""
import argparse, math, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read(path):
    with open(path) as f:
        return [[int(x) for x in line.split()] for line in f if line.strip()]


class Attention(nn.Module):
    """Shared Q/K/V projections, heads split from d, no output projection, dropout on weights."""
    def __init__(self, d, heads, p):
        super().__init__()
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.heads, self.drop = heads, nn.Dropout(p)

    def forward(self, queries, keys, mask):
        b, l, d = queries.shape
        h, dh = self.heads, d // self.heads
        q = self.q(queries).view(b, l, h, dh).transpose(1, 2)
        k = self.k(keys).view(b, l, h, dh).transpose(1, 2)
        v = self.v(keys).view(b, l, h, dh).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        scores = scores.masked_fill(~mask, float("-inf"))
        w = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
        return (self.drop(w) @ v).transpose(1, 2).reshape(b, l, d)


class Block(nn.Module):
    def __init__(self, d, heads, p):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.att = Attention(d, heads, p)
        self.ff1, self.ff2, self.drop = nn.Linear(d, d), nn.Linear(d, d), nn.Dropout(p)

    def forward(self, x, mask, tokens):
        q = self.ln1(x)
        a = self.att(q, x, mask) + q              # residual from the normalised input
        h = self.ln2(a)
        f = self.drop(self.ff2(self.drop(F.relu(self.ff1(h)))))
        return (f + h) * tokens


class SASRec(nn.Module):
    def __init__(self, n_items, length, d, blocks, heads, p):
        super().__init__()
        self.items = nn.Embedding(n_items + 2, d)        # 0 = padding here (SeqRec's layout), N+1 unused
        self.positions = nn.Embedding(length, d)
        self.blocks = nn.ModuleList([Block(d, heads, p) for _ in range(blocks)])
        self.norm, self.drop = nn.LayerNorm(d), nn.Dropout(p)
        self.output = nn.Embedding(n_items + 2, d)       # separate output table (the port always uses one)
        self.length = length

    def forward(self, ids):
        b, l = ids.shape
        tokens = (ids != 0).unsqueeze(-1).float()
        x = self.drop(self.items(ids) + self.positions(torch.arange(l).unsqueeze(0))) * tokens
        causal = torch.tril(torch.ones(l, l, dtype=torch.bool))
        mask = causal.unsqueeze(0).unsqueeze(0) & (ids != 0).view(b, 1, 1, l)
        for blk in self.blocks:
            x = blk(x, mask, tokens)
        return self.norm(x)


def gbce(pos, neg, beta):
    """The port's transformed-logit gBCE (float64, clamps), BCE-with-logits mean over k + 1 entries."""
    p = torch.clamp(torch.sigmoid(pos.double()), 1e-10, 1 - 1e-10)
    q = torch.clamp(p ** (-beta), 1 + 1e-10, torch.finfo(torch.float64).max)
    pos_t = torch.log(torch.clamp(1 / (q - 1), 1e-10, torch.finfo(torch.float64).max))
    logits = torch.cat([pos_t.unsqueeze(-1), neg.double()], dim=-1)
    labels = torch.zeros_like(logits)
    labels[..., 0] = 1
    return F.binary_cross_entropy_with_logits(logits, labels, reduction="none").mean(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/datasets/ml1m-gsasrec")
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--length", type=int, default=200)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--heads", type=int, default=1)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--negatives", type=int, default=256)
    ap.add_argument("--t", type=float, default=0.75)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    train = read(a.data + "/train/input.txt")
    val_in, val_out = read(a.data + "/val/input.txt"), [r[0] for r in read(a.data + "/val/output.txt")]
    n = max(max(s) for s in train if s)
    n = max(n, max(max(s) for s in val_in), max(val_out))
    alpha = a.negatives / (n - 1)
    beta = alpha * ((1 - 1 / alpha) * a.t + 1 / alpha)
    model = SASRec(n, a.length, a.dim, a.blocks, a.heads, a.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    users = [u for u, s in enumerate(train) if len(s) >= 2]

    def window(seq, l):
        seq = seq[-l:]
        return [0] * (l - len(seq)) + seq

    def evaluate():
        model.eval()
        ndcg = 0.0
        with torch.no_grad():
            for s in range(0, len(val_in), 128):
                chunk = val_in[s:s + 128]
                ids = torch.tensor([window(x, a.length) for x in chunk])
                h = model(ids)[:, -1, :]
                scores = h @ model.output.weight.T
                scores[:, 0] = float("-inf")
                scores[:, n + 1:] = float("-inf")
                for r, hist in enumerate(chunk):
                    scores[r, torch.tensor(hist)] = float("-inf")
                for r in range(len(chunk)):
                    target = val_out[s + r]
                    t = scores[r, target]
                    greater = (scores[r] > t).sum().item()
                    ties = (scores[r] == t).sum().item() - 1
                    if t == float("-inf"):
                        continue
                    # expected DCG over random tie-breaking, as SeqRec's evaluator
                    ndcg += sum(1 / math.log2(greater + j + 2) for j in range(ties + 1) if greater + j < 10) / (ties + 1)
        model.train()
        return ndcg / len(val_in)

    order, pos, start = rng.permutation(users), 0, time.time()
    for step in range(1, a.steps + 1):
        if pos + a.batch > len(order):
            order, pos = rng.permutation(users), 0
        batch = [window(train[u], a.length + 1) for u in order[pos:pos + a.batch]]
        pos += a.batch
        seq = torch.tensor(batch)
        inputs, labels = seq[:, :-1], seq[:, 1:]
        negs = torch.from_numpy(rng.integers(1, n + 1, size=(*labels.shape, a.negatives)))
        h = model(inputs)
        pos_logits = (h * model.output(labels)).sum(-1)
        neg_logits = (h.unsqueeze(2) * model.output(negs)).sum(-1)
        mask = (labels != 0).double()
        loss = (gbce(pos_logits, neg_logits, beta) * mask).sum() / mask.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % a.eval_every == 0:
            print(f"step {step} loss {loss.item():.4f} val NDCG@10 {evaluate():.4f} ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
