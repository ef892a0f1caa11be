"""A small GPT trained at character level on Python's own documentation, then sampled.

Token + position embeddings, a stack of pre-LayerNorm transformer blocks whose causal
self-attention is written by hand around ``F.scaled_dot_product_attention(is_causal=True)``
(or, with ``--builtin``, ``nn.TransformerEncoderLayer`` with a causal mask), a final LayerNorm
and an output head tied to the token embedding. AdamW (no weight decay on biases and norms)
with linear warm-up and a cosine learning-rate schedule.

    python examples/gpt.py [--steps N] [--builtin] [--smoke]
"""
from __future__ import annotations

import argparse
import math
import time

from pydoc_data.topics import topics

import ember
import ember.nn as nn
import ember.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads, dropout=0.0):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.dropout = dropout

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head_dim)
        q, k, v = (t.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
                   for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d_model, n_heads, dropout=0.0):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads, dropout)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model),
                                 nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * d_model, d_model), nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, d_model=128, n_layers=4, n_heads=4,
                 dropout=0.0, builtin=False):
        super().__init__()
        self.block_size = block_size
        self.tok_emb = nn.Embedding(vocab_size, d_model)
        self.pos_emb = nn.Embedding(block_size, d_model)
        if builtin:
            layer = nn.TransformerEncoderLayer(d_model, n_heads, 4 * d_model, dropout,
                                               activation="gelu", batch_first=True,
                                               norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        else:
            self.blocks = nn.Sequential(*[Block(d_model, n_heads, dropout)
                                          for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        self.head.weight = self.tok_emb.weight  # weight tying
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx):
        T = idx.size(1)
        x = self.tok_emb(idx) + self.pos_emb(ember.arange(T))
        if isinstance(self.blocks, nn.TransformerEncoder):
            mask = nn.Transformer.generate_square_subsequent_mask(T)
            x = self.blocks(x, mask=mask, is_causal=True)
        else:
            x = self.blocks(x)
        return self.head(self.ln_f(x))

    @ember.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.block_size:])[:, -1] / temperature
            if top_k is not None:
                v, _ = ember.topk(logits, top_k)
                logits[logits < v[:, [-1]]] = -float("inf")
            next_id = ember.multinomial(F.softmax(logits, dim=-1), num_samples=1)
            idx = ember.cat([idx, next_id], dim=1)
        return idx


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--sample-len", type=int, default=400)
    ap.add_argument("--builtin", action="store_true",
                    help="use nn.TransformerEncoderLayer instead of the hand-written block")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.steps, args.batch_size, args.block_size = 3, 4, 16
        args.d_model, args.layers, args.heads, args.warmup, args.sample_len = 32, 2, 2, 1, 40

    ember.manual_seed(args.seed)
    text = "".join(topics[k] for k in sorted(topics))
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = ember.tensor([stoi[c] for c in text], dtype=ember.long)
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    print(f"text: {len(text):,} characters, vocabulary of {len(chars)}")

    def get_batch(split):
        d = train_data if split == "train" else val_data
        ix = ember.randint(0, len(d) - args.block_size - 1, (args.batch_size,)).tolist()
        x = ember.stack([d[i:i + args.block_size] for i in ix])
        y = ember.stack([d[i + 1:i + args.block_size + 1] for i in ix])
        return x, y

    model = GPT(len(chars), args.block_size, args.d_model, args.layers, args.heads,
                builtin=args.builtin)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters "
          f"({'nn.TransformerEncoderLayer' if args.builtin else 'hand-written blocks'})")

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = ember.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.99))

    def lr_lambda(step):  # linear warm-up, then cosine decay to 10%
        if step < args.warmup:
            return (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
    scheduler = ember.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    @ember.no_grad()
    def estimate_val_loss(iters=5):
        model.eval()
        losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
                  for x, y in (get_batch("val") for _ in range(iters))]
        model.train()
        return sum(losses) / len(losses)

    start = time.perf_counter()
    log_every = max(1, args.steps // 10)
    for step in range(1, args.steps + 1):
        x, y = get_batch("train")
        logits = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % log_every == 0 or step == args.steps:
            print(f"step {step:5d}  loss {loss.item():.3f}  val loss {estimate_val_loss():.3f}  "
                  f"lr {scheduler.get_last_lr()[0]:.2e}  ({time.perf_counter() - start:.0f} s)",
                  flush=True)

    model.eval()
    prompt = ember.tensor([[stoi[c] for c in "The "]])
    out = model.generate(prompt, args.sample_len, temperature=args.temperature, top_k=20)
    print(f"--- sample (temperature {args.temperature}) ---")
    print("".join(chars[i] for i in out[0].tolist()))


if __name__ == "__main__":
    main()
