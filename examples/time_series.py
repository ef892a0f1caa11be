"""Sine-wave sequence prediction with two stacked ``nn.LSTMCell`` unrolled in a Python loop.

After PyTorch's time-sequence-prediction example: each training sequence is a sine wave with
a random phase; the model reads it one value at a time and predicts the next; then it keeps
going on its own, feeding each prediction back as the next input, to forecast the future.
Trained in float64 with L-BFGS (a closure re-evaluates the loss) or, with ``--optim adam``,
with Adam.

    python examples/time_series.py [--steps N] [--optim lbfgs|adam] [--smoke]
"""
from __future__ import annotations

import argparse
import time

import ember
import ember.nn as nn
import ember.nn.functional as F


def make_waves(n, length, period=20.0, seed=0):
    """n sine waves sin((t + shift) / period) with random integer shifts, shape (n, length)."""
    g = ember.Generator().manual_seed(seed)
    shift = ember.randint(-4 * int(period), 4 * int(period), (n, 1), generator=g)
    t = ember.arange(length) + shift
    return ember.sin(t.double() / period)


class Sequence(nn.Module):
    def __init__(self, hidden=51):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, x, future=0):
        """x: (batch, time). Returns predictions of x[:, 1:] and then `future` more steps."""
        b = x.size(0)
        h1 = c1 = ember.zeros(b, self.hidden, dtype=x.dtype)
        h2 = c2 = ember.zeros(b, self.hidden, dtype=x.dtype)
        outputs = []
        for x_t in x.split(1, dim=1):  # teacher forcing over the observed sequence
            h1, c1 = self.lstm1(x_t, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            output = self.linear(h2)
            outputs.append(output)
        for _ in range(future):  # then free-running: the prediction is the next input
            h1, c1 = self.lstm1(output, (h1, c1))
            h2, c2 = self.lstm2(h1, (h2, c2))
            output = self.linear(h2)
            outputs.append(output)
        return ember.cat(outputs, dim=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=None,
                    help="optimizer steps (default: 8 for L-BFGS, 300 for Adam)")
    ap.add_argument("--optim", choices=["lbfgs", "adam"], default="lbfgs")
    ap.add_argument("--length", type=int, default=300, help="length of the training sequences")
    ap.add_argument("--future", type=int, default=300, help="steps to forecast at test time")
    ap.add_argument("--n-train", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=51)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.steps is None:
        args.steps = 8 if args.optim == "lbfgs" else 300
    if args.smoke:
        args.steps, args.length, args.future, args.n_train, args.hidden = 2, 40, 20, 8, 16

    ember.manual_seed(args.seed)
    train = make_waves(args.n_train, args.length, seed=args.seed)
    test = make_waves(3, args.length + args.future, seed=args.seed + 1)
    train_in, train_target = train[:, :-1], train[:, 1:]
    test_in, test_target = test[:, :args.length - 1], test[:, 1:]

    model = Sequence(args.hidden).double()
    if args.optim == "lbfgs":
        optimizer = ember.optim.LBFGS(model.parameters(), lr=0.8, max_iter=20)
    else:
        optimizer = ember.optim.Adam(model.parameters(), lr=1e-2)

    def closure():
        optimizer.zero_grad()
        loss = F.mse_loss(model(train_in), train_target)
        loss.backward()
        return loss

    start = time.perf_counter()
    log_every = 1 if args.optim == "lbfgs" else max(1, args.steps // 10)
    for step in range(1, args.steps + 1):
        loss = optimizer.step(closure)
        if step % log_every and step != args.steps:
            continue
        with ember.no_grad():
            pred = model(test_in, future=args.future)
            test_loss = F.mse_loss(pred, test_target)
            future_loss = F.mse_loss(pred[:, -args.future:], test_target[:, -args.future:])
        print(f"step {step:3d}  loss {loss.item():.6f}  test loss {test_loss.item():.6f}  "
              f"forecast loss {future_loss.item():.6f}  ({time.perf_counter() - start:.0f} s)",
              flush=True)

    print(f"--- forecast of {args.future} steps beyond the observed {args.length} ---")
    print("   t     true  predicted")
    every = max(1, args.future // 10)
    for t in range(args.length - 1, args.length - 1 + args.future, every):
        print(f"{t + 1:4d}  {test_target[0, t].item():7.3f}  {pred[0, t].item():9.3f}")


if __name__ == "__main__":
    main()
