"""DataLoader throughput: a dataset spending ~2 ms of CPU per item, num_workers 0 vs 2, Ember
and torch side by side (interleaved rounds, medians).

The same Dataset class (returning NumPy arrays) feeds both loaders, so the comparison is of
the loaders themselves: worker processes, transport of batches and collation.
"""
from __future__ import annotations

import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, pin_threads  # noqa: E402

pin_threads(1)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.utils.data as tud  # noqa: E402

import ember.utils.data as eud  # noqa: E402

ITEM_SECONDS = 0.002


class BusyDataset:
    """Each item: ~2 ms of CPU work, then a 32x32 float image and a label."""

    def __init__(self, n=256):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        end = time.process_time() + ITEM_SECONDS
        x = np.full((32, 32), float(i), dtype=np.float32)
        while time.process_time() < end:
            x = x * 1.0000001
        return x, i


def batches_per_second(module, num_workers, n_items=256, batch_size=16):
    loader = module.DataLoader(BusyDataset(n_items), batch_size=batch_size,
                               num_workers=num_workers)
    start = time.perf_counter()
    count = sum(1 for _ in loader)
    return count / (time.perf_counter() - start)


def main(rounds=3):
    torch.set_num_threads(1)
    cases = {(lib, nw): [] for lib in ("ember", "torch") for nw in (0, 2)}
    mods = {"ember": eud, "torch": tud}
    with LoadMeter() as load:
        for _ in range(rounds):
            for (lib, nw) in cases:
                cases[(lib, nw)].append(batches_per_second(mods[lib], nw))
    med = {k: statistics.median(v) for k, v in cases.items()}
    lines = ["| loader | workers=0 (batches/s) | workers=2 (batches/s) | speed-up 2 vs 0 |",
             "|---|---|---|---|"]
    for lib in ("ember", "torch"):
        lines.append(f"| {lib} | {med[(lib, 0)]:.1f} | {med[(lib, 2)]:.1f} | "
                     f"{med[(lib, 2)] / med[(lib, 0)]:.2f}x |")
    lines.append(f"| ember/torch throughput, workers=2 | | "
                 f"{med[('ember', 2)] / med[('torch', 2)]:.2f} | |")
    lines += ["", f"Dataset: 256 items of ~{ITEM_SECONDS * 1e3:.0f} ms CPU each, batch 16. "
              + load.describe()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
