"""Character-level LSTM language model trained on Python's own documentation, then sampled.

The text ships with every Python: the ``pydoc_data.topics`` help texts (about 465k
characters). Embedding + 2-layer LSTM + Linear, Adam, gradient-norm clipping; at the end it
generates text with a temperature.

    python examples/char_lstm.py [--steps N] [--temperature T] [--smoke]
"""
from __future__ import annotations

import argparse
import time

from pydoc_data.topics import topics

import ember
import ember.nn as nn
import ember.nn.functional as F


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim=64, hidden_size=256, num_layers=2, dropout=0.0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True,
                            dropout=dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def get_batch(data, batch_size, seq_len):
    """Random windows of the text: inputs and the same windows shifted by one character."""
    starts = ember.randint(0, len(data) - seq_len - 1, (batch_size,)).tolist()
    x = ember.stack([data[i:i + seq_len] for i in starts])
    y = ember.stack([data[i + 1:i + seq_len + 1] for i in starts])
    return x, y


@ember.no_grad()
def generate(model, prompt, stoi, itos, length, temperature=1.0):
    """Feed the prompt, then sample one character at a time, carrying the LSTM state."""
    model.eval()
    x = ember.tensor([[stoi[c] for c in prompt]])
    logits, state = model(x)
    out = []
    for _ in range(length):
        probs = F.softmax(logits[:, -1] / temperature, dim=-1)
        x = ember.multinomial(probs, num_samples=1)
        out.append(itos[x.item()])
        logits, state = model(x, state)
    model.train()
    return prompt + "".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--sample-len", type=int, default=400)
    ap.add_argument("--prompt", default="The ")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.steps, args.batch_size, args.seq_len, args.hidden = 3, 4, 16, 32
        args.sample_len = 40

    ember.manual_seed(args.seed)
    text = "".join(topics[k] for k in sorted(topics))
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = ember.tensor([stoi[c] for c in text], dtype=ember.long)
    print(f"text: {len(text):,} characters, vocabulary of {len(chars)}")

    model = CharLSTM(len(chars), hidden_size=args.hidden, num_layers=args.layers)
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = ember.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, args.steps // 2),
                                                gamma=0.3)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")

    start = time.perf_counter()
    running = None
    log_every = max(1, args.steps // 20)
    for step in range(1, args.steps + 1):
        x, y = get_batch(data, args.batch_size, args.seq_len)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        scheduler.step()
        running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
        if step % log_every == 0 or step == args.steps:
            print(f"step {step:5d}  loss {running:.3f}  "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)

    print(f"final loss {running:.3f} (uniform guess: {ember.log(ember.tensor(len(chars))):.3f})")
    print(f"--- sample (temperature {args.temperature}) ---")
    print(generate(model, args.prompt, stoi, chars, args.sample_len, args.temperature))


if __name__ == "__main__":
    main()
