"""Ember's main job: train the classic MNIST CNN on Fashion-MNIST, offline, on the CPU.

Reads the IDX files of Debian's `dataset-fashion-mnist` package through
`ember.vision.datasets.FashionMNIST` (falls back to scikit-learn's 8x8 digits when those files
are missing), trains with a tqdm progress bar, reports test accuracy, saves a checkpoint in
PyTorch's format, reloads it into a fresh model and checks it predicts the same.

    python examples/demo.py [--epochs N] [--limit N] [--data digits]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset
from ember.vision import datasets


class Net(nn.Module):
    """The classic MNIST CNN: conv 32, conv 64, max-pool, dropout, fc 128, dropout, fc 10."""

    def __init__(self, in_size=28, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        side = (in_size - 4) // 2
        self.fc1 = nn.Linear(64 * side * side, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = ember.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


def load_data(kind):
    """(train, test, image side, name) as normalised float tensors."""
    if kind == "fashion":
        train, test = datasets.FashionMNIST(train=True), datasets.FashionMNIST(train=False)
        side, name = 28, "Fashion-MNIST"
    else:
        train, test = datasets.Digits(train=True), datasets.Digits(train=False)
        side, name = 8, "scikit-learn digits (8x8)"

    def prep(ds):
        x = ds.data.float().div(255.0).sub(0.2860).div(0.3530).unsqueeze(1)
        return TensorDataset(x, ds.targets)
    return prep(train), prep(test), side, name


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    preds = []
    with ember.no_grad():
        for x, y in loader:
            p = model(x).argmax(1)
            preds.append(p)
            correct += int((p == y).sum().item())
            total += len(y)
    return correct / total, ember.cat(preds)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training items")
    ap.add_argument("--data", choices=["auto", "fashion", "digits"], default="auto")
    args = ap.parse_args(argv)

    kind = args.data
    if kind == "auto":
        kind = "fashion" if os.path.isdir(datasets.DEBIAN_FASHION_MNIST) else "digits"
    ember.manual_seed(0)
    train, test, side, name = load_data(kind)
    if args.limit:
        train = ember.utils.data.Subset(train, range(min(args.limit, len(train))))
    print(f"data: {name}, {len(train)} train / {len(test)} test images")
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test, batch_size=1000)

    model = Net(side)
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    # cosine decay over the whole run: a better model from the same number of steps
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=args.epochs * len(train_loader))
    try:
        from tqdm import tqdm
    except ImportError:
        def tqdm(it, **kw):
            return it
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{args.epochs}", unit="batch",
                   file=sys.stdout, mininterval=1.0)
        seen = correct = 0
        running = None
        for x, y in bar:
            optimizer.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
            correct += int((logits.argmax(1) == y).sum().item())
            seen += len(y)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{running:.3f}", acc=f"{correct / seen:.3f}",
                                refresh=False)
    train_time = time.perf_counter() - start
    acc, preds = evaluate(model, test_loader)
    print(f"test accuracy: {acc * 100:.2f}%  (trained in {train_time:.1f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cnn.pt")
        ember.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
        size = os.path.getsize(path)
        fresh = Net(side)
        fresh.load_state_dict(ember.load(path)["model"])
        acc2, preds2 = evaluate(fresh, test_loader)
    same = bool((preds == preds2).all().item())
    print(f"checkpoint: {size / 1e6:.1f} MB in PyTorch's format; reloaded model predicts the "
          f"same: {same} (accuracy {acc2 * 100:.2f}%)")
    if not same:
        raise SystemExit("reloaded model disagrees with the trained one")
    return acc


if __name__ == "__main__":
    main()
