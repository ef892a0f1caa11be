"""A GPT-style transformer block and its attention kernel, forward + backward, Ember vs PyTorch.

Workloads (float32):
  - layer: TransformerEncoderLayer(128, 4, 512, batch_first=True, norm_first=True), dropout 0.1,
    train mode, on (16, 64, 128) with a causal mask (``is_causal=True``), forward + backward
    (input and parameter gradients); activation ``--activation`` (relu, or gelu as in the GPT
    model workload);
  - sdpa: F.scaled_dot_product_attention on (16, 4, 64, 32) q, k, v, causal, forward + backward.

Both libraries get the same number of threads (``--threads``, default 2: BLAS threads for
Ember, the intra-op pool for torch). Interleaved (A B A B), medians.

Run: ``python benchmarks/attention_layer.py [--threads N] [--rounds R] [--activation gelu]
[--profile]``.
"""
from __future__ import annotations

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, fmt_row, interleaved, pin_threads, table_header  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--rounds", type=int, default=7)
parser.add_argument("--inner", type=int, default=10)
parser.add_argument("--activation", default="relu", choices=["relu", "gelu"])
parser.add_argument("--profile", action="store_true", help="cProfile Ember's layer step")
args = parser.parse_args()

pin_threads(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(args.threads)
B, T, D, H, FF = 16, 64, 128, 4, 512


def layer_step(lib):
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(D, H, FF, dropout=0.1, batch_first=True,
                                           norm_first=True, activation=args.activation).train()
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((B, T, D), dtype=np.float32), requires_grad=True)
    g = lib.tensor(rng.standard_normal((B, T, D), dtype=np.float32))
    mask = lib.nn.Transformer.generate_square_subsequent_mask(T)

    def run():
        x.grad = None
        for p in layer.parameters():
            p.grad = None
        out = layer(x, src_mask=mask, is_causal=True)
        out.backward(g)
    return run


def sdpa_step(lib):
    rng = np.random.default_rng(0)
    q, k, v = (lib.tensor(rng.standard_normal((B, H, T, D // H), dtype=np.float32),
                          requires_grad=True) for _ in range(3))
    g = lib.tensor(rng.standard_normal((B, H, T, D // H), dtype=np.float32))

    def run():
        q.grad = k.grad = v.grad = None
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        out.backward(g)
    return run


def main():
    workloads = {f"TransformerEncoderLayer d128 h4 ff512 {args.activation}, (16, 64, 128), causal "
                 "(fwd+bwd)": layer_step,
                 "scaled_dot_product_attention (16, 4, 64, 32), causal (fwd+bwd)": sdpa_step}
    if args.profile:
        import cProfile
        import pstats
        run = layer_step(ember)
        run()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(20):
            run()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
        return
    lines = table_header("ms")
    with LoadMeter() as load:
        for name, make in workloads.items():
            res = interleaved({"ember": make(ember), "torch": make(torch)},
                              rounds=args.rounds, inner=args.inner)
            row, _ = fmt_row(name, res["ember"], res["torch"])
            lines.append(row + " 1.2 |")
    print(f"threads: {args.threads} each (torch intra-op; Ember BLAS)")
    print("\n".join(lines))
    print(load.describe())


if __name__ == "__main__":
    main()
