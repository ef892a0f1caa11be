"""2-layer LSTM(64 -> 256), Ember vs PyTorch: forward + backward on a (64, 32, 64) input, and
the language-model training step of PERFORMANCE.md (embedding 64, LSTM 256 x 2, seq 64,
batch 32, linear to 65 classes, cross-entropy, Adam).

Run: ``python benchmarks/lstm_layer.py [--threads N] [--rounds R] [--no-step] [--profile]``
(interleaved A B A B, medians, the same thread count for both libraries).
"""
from __future__ import annotations

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, fmt_row, interleaved, pin_threads, table_header  # noqa: E402

_args = argparse.ArgumentParser()
_args.add_argument("--threads", type=int, default=1)
_args.add_argument("--rounds", type=int, default=7)
_args.add_argument("--no-step", action="store_true", help="skip the training-step workload")
_args.add_argument("--profile", action="store_true", help="cProfile ember's layer fwd+bwd")
ARGS = _args.parse_args()
pin_threads(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(ARGS.threads)
T, B, I, H, V = 64, 32, 64, 256, 65


def lstm_layer(lib):
    """forward + backward of nn.LSTM(64, 256, num_layers=2) on (T, B, I)."""
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(I, H, num_layers=2)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((T, B, I), dtype=np.float32), requires_grad=True)
    grad = lib.tensor(rng.standard_normal((T, B, H), dtype=np.float32))

    def run():
        out, (h, c) = lstm(x)
        out.backward(grad)
    return run


def lm_step(lib):
    """One training step of a character-level LSTM language model."""
    nn = lib.nn
    lib.manual_seed(0)

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, I)
            self.lstm = nn.LSTM(I, H, num_layers=2)
            self.head = nn.Linear(H, V)

        def forward(self, tokens):
            out, _ = self.lstm(self.emb(tokens))
            return self.head(out)

    model = LM()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    tokens = lib.tensor(rng.integers(0, V, (T, B)))
    target = lib.tensor(rng.integers(0, V, (T * B,)))

    def run():
        opt.zero_grad()
        logits = model(tokens)
        loss = nn.functional.cross_entropy(logits.reshape(T * B, V), target)
        loss.backward()
        opt.step()
    return run


def main():
    rows = table_header("ms")
    cases = {"lstm": (lstm_layer, "2-layer LSTM 64->256 fwd+bwd, (64, 32, 64)", "-")}
    if not ARGS.no_step:
        cases["step"] = (lm_step, "LSTM LM training step (emb 64, 2x256, 65 classes, Adam)",
                         "<= 1.00")
    for key, (make, label, target) in cases.items():
        try:
            fns = {"ember": make(ember), "torch": make(torch)}
        except (AttributeError, ImportError, NotImplementedError) as e:
            rows.append(f"| {label} | (skipped: {type(e).__name__}: {e}) | | | {target} |")
            continue
        with LoadMeter() as load:
            res = interleaved(fns, rounds=ARGS.rounds, inner=3, warmup=1)
        row, _ = fmt_row(label, res["ember"], res["torch"])
        rows.append(f"{row} {target} |")
    print(f"threads: {ARGS.threads}")
    print("\n".join(rows))
    print(load.describe())
    if ARGS.profile:
        import cProfile
        import pstats
        fn = lstm_layer(ember)
        fn()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            fn()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
