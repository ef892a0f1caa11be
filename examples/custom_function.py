"""Custom autograd Functions: a stable log-sum-exp and a straight-through sign.

``LogSumExp`` writes forward and backward by hand (the max is subtracted so that exp never
overflows); its gradient is checked against finite differences with
``ember.autograd.gradcheck`` and, since its backward is itself made of differentiable ops,
its second derivative with ``gradgradcheck``. ``SignSTE`` binarises in forward and lets the
gradient straight through in backward (zeroed where |x| >= 1, as hardtanh's). Both go into a
tiny classifier with binary hidden units, trained on three interleaved spirals with the
cross-entropy written as ``logsumexp(logits) - logits[y]``.

    python examples/custom_function.py [--steps N] [--smoke]
"""
from __future__ import annotations

import argparse
import math

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import Function, gradcheck, gradgradcheck


class LogSumExp(Function):
    """log(sum(exp(x), dim)) computed as m + log(sum(exp(x - m))) with m = max(x)."""

    @staticmethod
    def forward(ctx, x, dim):
        m = x.amax(dim, keepdim=True)
        out = (x - m).exp().sum(dim, keepdim=True).log() + m
        ctx.save_for_backward(x)
        ctx.dim = dim
        return out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        # d/dx logsumexp(x) = softmax(x); written with differentiable ops, so it has a
        # gradient of its own (double backward).
        return grad_out.unsqueeze(ctx.dim) * F.softmax(x, ctx.dim), None


class SignSTE(Function):
    """sign(x) forward; straight-through estimator backward: grad * 1{|x| < 1}, which is the
    gradient of hardtanh."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ember.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * (x.abs() < 1).to(grad_out.dtype)


def logsumexp(x, dim=-1):
    return LogSumExp.apply(x, dim)


class BinaryNet(nn.Module):
    """An MLP whose hidden units are +-1 (binarised with SignSTE)."""

    def __init__(self, in_features=2, hidden=128, classes=3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.bn = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(SignSTE.apply(self.bn(self.fc1(x))))


def spirals(n_per_class=200, classes=3, noise=0.2, seed=0):
    """cs231n's interleaved spirals: (points (N, 2), labels (N,))."""
    g = ember.Generator().manual_seed(seed)
    xs, ys = [], []
    for c in range(classes):
        r = ember.linspace(0.0, 1.0, n_per_class)
        t = (ember.linspace(c * 4.0, (c + 1) * 4.0, n_per_class)
             + noise * ember.randn(n_per_class, generator=g))
        xs.append(ember.stack([r * ember.sin(t), r * ember.cos(t)], dim=1))
        ys.append(ember.full((n_per_class,), c, dtype=ember.long))
    return ember.cat(xs), ember.cat(ys)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="a few tiny steps (for tests)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.steps = 5
    ember.manual_seed(args.seed)

    # 1. Check the hand-written gradients.
    x = ember.randn(4, 7, dtype=ember.float64, requires_grad=True)
    print(f"gradcheck(LogSumExp): {gradcheck(logsumexp, (x,))}")
    print(f"gradgradcheck(LogSumExp): {gradgradcheck(logsumexp, (x,))}")
    big = ember.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]], requires_grad=True)
    naive = big.exp().sum(1).log()
    stable = ", ".join(f"{v:.4f}" for v in logsumexp(big).tolist())
    print(f"stable: logsumexp of [[1000, 1000], [-1000, -1000]] = [{stable}] "
          f"(naive: {naive.tolist()}; 1000 + log 2 = {1000 + math.log(2):.4f})")
    z = ember.linspace(-2, 2, 9, requires_grad=True)
    SignSTE.apply(z).sum().backward()
    ste_grad = z.grad.clone()
    z.grad = None
    F.hardtanh(z).sum().backward()
    print(f"SignSTE gradient equals hardtanh's: {ember.equal(ste_grad, z.grad)}")

    # 2. Train a classifier with binary hidden units on the spirals.
    inputs, targets = spirals(seed=args.seed)
    model = BinaryNet()
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    log_every = max(1, args.steps // 10)
    for step in range(1, args.steps + 1):
        logits = model(inputs)
        # cross-entropy = logsumexp(logits) - logit of the true class
        loss = (logsumexp(logits, 1) - logits.gather(1, targets[:, None]).squeeze(1)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % log_every == 0 or step == args.steps:
            acc = (logits.argmax(1) == targets).float().mean().item()
            same = ember.allclose(loss, F.cross_entropy(logits, targets))
            print(f"step {step:4d}  loss {loss.item():.4f}  accuracy {acc:.3f}  "
                  f"(equals F.cross_entropy: {same})")
    model.eval()
    with ember.no_grad():
        acc = (model(inputs).argmax(1) == targets).float().mean().item()
    print(f"final training accuracy {acc:.3f} on {len(targets)} points (chance: 0.333)")


if __name__ == "__main__":
    main()
