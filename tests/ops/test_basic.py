"""Op table for the seed ops of each family (each family's own table lives beside it)."""
import pytest
import torch

import ember
from .opinfo import OpInfo, Sample, cases, run_generic


def _binary(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((3, 4)))), Sample((r((3, 4)), r((4,)))),
            Sample((r((2, 1, 4)), r((3, 1)))), Sample((r(()), r((2, 3)))),
            Sample((r((3, 4)), 2.5)), Sample((r((0, 3)), r((3,)))),
            Sample((r((3, 4)), r((3, 4))), noncontig=True)]


def _positive(rng):
    r = lambda s: rng.uniform(0.5, 2.0, s)  # noqa: E731
    return [Sample((r((3, 4)), r((3, 4)))), Sample((r((4,)), r((2, 4)))), Sample((r(()), r(())))]


def _unary(rng):
    return [Sample((rng.uniform(0.5, 2, (3, 4)),)), Sample((rng.uniform(0.5, 2, ()),)),
            Sample((rng.uniform(0.5, 2, (2, 3)),), noncontig=True)]


def _reduce(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)),)), Sample((r((3, 4, 2)),), {"dim": 1}),
            Sample((r((3, 4, 2)),), {"dim": (0, 2), "keepdim": True}),
            Sample((r(()),)), Sample((r((2, 3)),), {"dim": -1})]


def _matmul(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((4, 5)))), Sample((r((4,)), r((4,)))),
            Sample((r((4,)), r((2, 4, 3)))), Sample((r((2, 3, 4)), r((4,)))),
            Sample((r((2, 1, 3, 4)), r((5, 4, 2)))), Sample((r((3, 4)), r((4, 2))), noncontig=True)]


OPS = [
    OpInfo("add", ember.add, torch.add, _binary),
    OpInfo("add_alpha", lambda a, b: ember.add(a, b, alpha=2),
           lambda a, b: torch.add(a, b, alpha=2), _binary),
    OpInfo("sub", ember.sub, torch.sub, _binary),
    OpInfo("mul", ember.mul, torch.mul, _binary),
    OpInfo("div", ember.div, torch.div, _positive),
    OpInfo("neg", ember.neg, torch.neg, _unary),
    OpInfo("exp", ember.exp, torch.exp, _unary),
    OpInfo("log", ember.log, torch.log, _unary),
    OpInfo("sum", ember.sum, torch.sum, _reduce),
    OpInfo("mean", ember.mean, torch.mean, _reduce),
    OpInfo("matmul", ember.matmul, torch.matmul, _matmul),
    OpInfo("reshape", lambda a: a.reshape(2, -1), lambda a: a.reshape(2, -1),
           lambda rng: [Sample((rng.standard_normal((4, 3)),))]),
    OpInfo("permute", lambda a: a.permute(2, 0, 1), lambda a: a.permute(2, 0, 1),
           lambda rng: [Sample((rng.standard_normal((2, 3, 4)),))]),
    OpInfo("expand", lambda a: a.expand(2, 3, 4), lambda a: a.expand(2, 3, 4),
           lambda rng: [Sample((rng.standard_normal((3, 1)),))]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_op(op, sample, dtype):
    run_generic(op, sample, dtype)


def test_int_tensor_true_division_gives_default_float():
    a = ember.tensor([1, 2, 3])
    assert (a / 2).dtype is ember.float32
    assert ember.tensor([1, 2]).dtype is ember.int64
