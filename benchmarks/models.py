"""Reference training workloads, written once against the torch API, run with real torch 2.13
and with Ember (seen as torch through ``ember.compat.as_torch()``), interleaved A B A B in one
process, both at the same thread count; medians and the Ember/torch ratio.

    python benchmarks/models.py [--only mlp,cnn] [--rounds 5]
"""
from __future__ import annotations

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, fmt_row, interleaved, set_threads, table_header  # noqa: E402

import numpy as np  # noqa: E402


# ----------------------------------------------------------------------------- workloads
def mlp_step(torch, batch=128, seed=0):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((batch, 784), dtype=np.float32))
    y = torch.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def mlp_inference(torch, seed=0):
    nn = torch.nn
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10)).eval()
    x = torch.tensor(np.random.default_rng(seed).standard_normal((1, 784), dtype=np.float32))

    def step():
        with torch.no_grad():
            model(x)
    return step


class _CNN:
    @staticmethod
    def build(torch):
        nn, F = torch.nn, torch.nn.functional

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 32, 3, 1)
                self.conv2 = nn.Conv2d(32, 64, 3, 1)
                self.dropout1 = nn.Dropout(0.25)
                self.dropout2 = nn.Dropout(0.5)
                self.fc1 = nn.Linear(9216, 128)
                self.fc2 = nn.Linear(128, 10)

            def forward(self, x):
                x = F.relu(self.conv1(x))
                x = F.relu(self.conv2(x))
                x = F.max_pool2d(x, 2)
                x = self.dropout1(x)
                x = torch.flatten(x, 1)
                x = F.relu(self.fc1(x))
                x = self.dropout2(x)
                return self.fc2(x)
        return Net()


def cnn_step(torch, batch=64, seed=0):
    F = torch.nn.functional
    torch.manual_seed(seed)
    model = _CNN.build(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    y = torch.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return step


def lstm_step(torch, batch=32, seq=64, vocab=65, seed=0):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(seed)

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, 64)
            self.lstm = nn.LSTM(64, 256, num_layers=2, batch_first=True)
            self.head = nn.Linear(256, vocab)

        def forward(self, idx):
            h, _ = self.lstm(self.embed(idx))
            return self.head(h)
    model = CharLM()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    rng = np.random.default_rng(seed)
    data = torch.tensor(rng.integers(0, vocab, (batch, seq + 1)))
    x, y = data[:, :-1], data[:, 1:]

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        opt.step()
    return step


def transformer_step(torch, batch=16, seq=64, vocab=65, d_model=128, heads=4, layers=4,
                     seed=0):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(seed)

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d_model)
            self.pos = nn.Embedding(seq, d_model)
            layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.1,
                                               batch_first=True, norm_first=True,
                                               activation="gelu")
            self.blocks = nn.TransformerEncoder(layer, layers)
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab)

        def forward(self, idx):
            t = idx.shape[1]
            h = self.tok(idx) + self.pos(torch.arange(t))
            mask = nn.Transformer.generate_square_subsequent_mask(t)
            h = self.blocks(h, mask=mask, is_causal=True)
            return self.head(self.norm(h))
    model = GPT()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
    rng = np.random.default_rng(seed)
    data = torch.tensor(rng.integers(0, vocab, (batch, seq + 1)))
    x, y = data[:, :-1], data[:, 1:]

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        opt.step()
    return step


# name, factory, threads, inner steps per sample, unit scale, target ratio
WORKLOADS = {
    "mlp": ("mlp 784-512-512-10, batch 128, SGD momentum [ms/step]", mlp_step, 1, 20, 1.0),
    "cnn": ("MNIST CNN, batch 64, Adam [ms/step]", cnn_step, 2, 3, 1.0),
    "lstm": ("char LSTM 2x256, seq 64, batch 32, Adam [ms/step]", lstm_step, 1, 2, 1.0),
    "transformer": ("GPT 4x d128 h4, seq 64, batch 16, AdamW [ms/step]", transformer_step, 2,
                    3, 1.2),
    "infer": ("mlp inference, batch 1 [ms]", mlp_inference, 1, 500, 0.8),
}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(WORKLOADS))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    import torch

    from ember.compat import as_torch
    ember_torch = as_torch()
    lines = []
    with LoadMeter() as load:
        for key in args.only.split(","):
            title, factory, threads, inner, target = WORKLOADS[key]
            set_threads(threads, torch, ember_torch)
            try:
                cases = {"ember": factory(ember_torch), "torch": factory(torch)}
            except Exception as e:  # noqa: BLE001 - report what is missing, run the rest
                lines.append(f"| {title} | not run: {type(e).__name__}: {e} | | |")
                print(lines[-1], file=sys.stderr, flush=True)
                continue
            res = interleaved(cases, rounds=args.rounds, inner=inner)
            row, ratio = fmt_row(f"{title} ({threads} thread{'s' if threads > 1 else ''})",
                                 res["ember"], res["torch"])
            lines.append(row + f" target <= {target} {'met' if ratio <= target else 'MISSED'} |")
            print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(table_header("ms") + lines + ["", load.describe()])


if __name__ == "__main__":
    print(main())
