"""A recursive tree network: data-dependent control flow in ``forward`` just works.

Each example is a randomly generated arithmetic expression tree of a different shape and
size, such as ``max((3 + 7), (9 - 4))``; the model learns to predict its value. ``forward``
recurses over the tree in plain Python: a leaf is an embedding of its digit, an internal node
combines its children's vectors with the layer of its operator. Every example builds a
different graph, and autograd differentiates whatever graph was built.

    python examples/tree_net.py [--steps N] [--max-depth D] [--smoke]
"""
from __future__ import annotations

import argparse
import random
import time

import ember
import ember.nn as nn
import ember.nn.functional as F

OPS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "max": max, "min": min}
SYMBOLS = {"add": "+", "sub": "-"}


class Node:
    """A leaf digit (op is None) or an operator applied to two subtrees."""

    def __init__(self, op=None, left=None, right=None, digit=None):
        self.op, self.left, self.right = op, left, right
        self.value = digit if op is None else OPS[op](left.value, right.value)

    def __str__(self):
        if self.op is None:
            return str(self.value)
        if self.op in SYMBOLS:
            return f"({self.left} {SYMBOLS[self.op]} {self.right})"
        return f"{self.op}({self.left}, {self.right})"

    def size(self):
        return 1 if self.op is None else 1 + self.left.size() + self.right.size()


def random_tree(rng, max_depth):
    """A random expression: deeper trees are less likely to branch further."""
    if max_depth == 0 or rng.random() < 0.25:
        return Node(digit=rng.randrange(10))
    op = rng.choice(list(OPS))
    return Node(op, random_tree(rng, max_depth - 1), random_tree(rng, max_depth - 1))


class TreeNet(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.leaf = nn.Embedding(10, hidden)
        self.compose = nn.ModuleDict({op: nn.Linear(2 * hidden, hidden) for op in OPS})
        self.head = nn.Linear(hidden, 1)

    def encode(self, node):
        if node.op is None:  # the recursion stops at a leaf...
            return self.leaf(ember.tensor(node.value))
        # ...or recurses into both children, then applies this operator's own layer
        children = ember.cat([self.encode(node.left), self.encode(node.right)])
        return ember.tanh(self.compose[node.op](children))

    def forward(self, tree):
        return self.head(self.encode(tree)).squeeze(-1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-depth", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.steps, args.batch_size = 3, 4

    ember.manual_seed(args.seed)
    rng = random.Random(args.seed)
    test = [random_tree(rng, args.max_depth) for _ in range(200 if not args.smoke else 8)]
    scale = 10.0  # predict value / 10 so targets are of order one
    baseline = ember.tensor([float(t.value) for t in test]).var(correction=0).item()
    print(f"expressions of depth <= {args.max_depth}, e.g. {test[0]} = {test[0].value}; "
          f"test variance of the values {baseline:.1f}")

    model = TreeNet(args.hidden)
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)

    def evaluate(trees):
        model.eval()
        with ember.no_grad():
            pred = ember.stack([model(t) for t in trees]) * scale
        target = ember.tensor([float(t.value) for t in trees])
        exact = (pred.round() == target).float().mean().item()
        model.train()
        return F.mse_loss(pred, target).item(), exact, pred

    start = time.perf_counter()
    log_every = max(1, args.steps // 10)
    for step in range(1, args.steps + 1):
        trees = [random_tree(rng, args.max_depth) for _ in range(args.batch_size)]
        pred = ember.stack([model(t) for t in trees])  # one differently shaped graph per tree
        target = ember.tensor([t.value / scale for t in trees])
        loss = F.mse_loss(pred, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % log_every == 0 or step == args.steps:
            mse, exact, _ = evaluate(test)
            nodes = sum(t.size() for t in trees)
            print(f"step {step:4d}  loss {loss.item():.4f}  test MSE {mse:7.3f}  "
                  f"exact {exact:.2f}  ({nodes} nodes in this batch, "
                  f"{time.perf_counter() - start:.0f} s)", flush=True)

    mse, exact, pred = evaluate(test)
    print(f"final test MSE {mse:.3f} (predicting the mean: {baseline:.1f}); "
          f"rounded prediction exact on {exact:.0%} of {len(test)} unseen expressions")
    for t, p in list(zip(test, pred.tolist()))[:5]:
        print(f"  {t} = {t.value}   predicted {p:.2f}")


if __name__ == "__main__":
    main()
