"""Pooling layers and functionals against torch: values, gradients (ties included), indices,
double backward, finite differences, reprs and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.backend import threads
import ember.nn.functional as F
from tests.nn.layercheck import check_layer

RNG = np.random.default_rng(0)
TF = torch.nn.functional


def r(*shape):
    return RNG.standard_normal(shape)


MAXPOOL2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2), dict(kernel_size=3, padding=1),
             dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
             dict(kernel_size=3, stride=2, ceil_mode=True),
             dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
             dict(kernel_size=2, return_indices=True),
             dict(kernel_size=3, stride=2, padding=1, return_indices=True, ceil_mode=True),
             dict(kernel_size=2, dilation=2, return_indices=True)]


@pytest.mark.parametrize("kw", MAXPOOL2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
def test_maxpool2d(kw, dtype, train):
    check_layer(lambda nn: nn.MaxPool2d(**kw), [r(2, 3, 7, 8)], dtype=dtype, train=train)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, dilation=3, ceil_mode=True),
                                dict(kernel_size=3, return_indices=True, ceil_mode=True)],
                         ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_maxpool1d_3d(kw, dtype):
    check_layer(lambda nn: nn.MaxPool1d(**kw), [r(2, 3, 11)], dtype=dtype)
    check_layer(lambda nn: nn.MaxPool3d(**kw), [r(1, 2, 5, 6, 7)], dtype=dtype)


def test_maxpool_ties_route_to_first():
    """relu-like inputs: many equal values in a window; torch routes to the first max."""
    x = np.maximum(r(2, 3, 8, 8), 0)
    x[0, 0] = 0.0
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
               dict(kernel_size=3, stride=2, ceil_mode=True)):
        check_layer(lambda nn: nn.MaxPool2d(**kw), [x])
        check_layer(lambda nn: nn.MaxPool2d(return_indices=True, **kw), [x])


def test_maxpool_unbatched_and_threads(monkeypatch):
    check_layer(lambda nn: nn.MaxPool2d(3, 2, 1), [r(3, 9, 9)])
    check_layer(lambda nn: nn.AvgPool2d(3, 2, 1), [r(3, 9, 9)])
    monkeypatch.setattr(threads, "THREAD_FLOPS", 0)
    monkeypatch.setattr(threads, "_num_threads", 2)
    check_layer(lambda nn: nn.MaxPool2d(2), [r(5, 3, 8, 8)])
    check_layer(lambda nn: nn.MaxPool2d(3, 2, 1), [r(5, 3, 8, 8)])
    check_layer(lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True), [r(5, 3, 8, 8)])


AVGPOOL2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
             dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
             dict(kernel_size=3, stride=2, ceil_mode=True),
             dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
             dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), ceil_mode=True),
             dict(kernel_size=3, padding=1, divisor_override=5)]


@pytest.mark.parametrize("kw", AVGPOOL2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
def test_avgpool2d(kw, dtype, train):
    check_layer(lambda nn: nn.AvgPool2d(**kw), [r(2, 3, 7, 8)], dtype=dtype, train=train)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                     count_include_pad=False)], ids=str)
def test_avgpool1d_3d(kw):
    check_layer(lambda nn: nn.AvgPool1d(**kw), [r(2, 3, 11)])
    check_layer(lambda nn: nn.AvgPool3d(**kw), [r(1, 2, 5, 6, 7)])


@pytest.mark.parametrize("size", [1, 2, 3, (5, 2), (None, 3), (4, 4), (7, 8)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_2d(size, dtype):
    x = r(2, 3, 7, 8)
    check_layer(lambda nn: nn.AdaptiveAvgPool2d(size), [x], dtype=dtype)
    check_layer(lambda nn: nn.AdaptiveMaxPool2d(size), [x], dtype=dtype)
    check_layer(lambda nn: nn.AdaptiveMaxPool2d(size, return_indices=True), [x], dtype=dtype)


@pytest.mark.parametrize("size", [1, 3, 4, 5, 11], ids=str)
def test_adaptive_1d_3d(size):
    x = r(2, 3, 11)
    check_layer(lambda nn: nn.AdaptiveAvgPool1d(size), [x])
    check_layer(lambda nn: nn.AdaptiveMaxPool1d(size, return_indices=True), [x])
    check_layer(lambda nn: nn.AdaptiveAvgPool1d(size), [x[0]])
    check_layer(lambda nn: nn.AdaptiveAvgPool3d((2, size % 4 + 1, 3)), [r(1, 2, 5, 4, 6)])


@pytest.mark.parametrize("kw,shape", [(dict(kernel_size=2), (8, 6)),
                                      (dict(kernel_size=3, stride=2, padding=1), (7, 5))],
                         ids=str)
def test_max_unpool(kw, shape):
    x = r(2, 3, *shape)
    _, idx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    y = r(*idx.shape)
    check_layer(lambda nn: nn.MaxUnpool2d(**kw), [y, idx.numpy()])
    # an odd-sized input needs output_size to undo the pooling
    x = r(2, 3, shape[0] + 1, shape[1] + 1)
    _, idx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    check_layer(lambda nn: nn.MaxUnpool2d(**kw), [r(*idx.shape), idx.numpy()],
                kwargs=dict(output_size=x.shape[2:]))
    x1 = r(2, 3, shape[0])
    _, idx1 = TF.max_pool1d(torch.tensor(x1), return_indices=True, **kw)
    check_layer(lambda nn: nn.MaxUnpool1d(**kw), [r(*idx1.shape), idx1.numpy()])


def test_lp_pool():
    x = np.abs(r(2, 3, 8, 7)) + 0.1
    check_layer(lambda nn: nn.LPPool2d(2, 2), [x])
    check_layer(lambda nn: nn.LPPool2d(3, (3, 2), stride=2, ceil_mode=True), [x])
    check_layer(lambda nn: nn.LPPool1d(2, 3), [x[0]])


def test_functional_forms():
    x = r(2, 3, 9, 8)
    for ef, tf, kw in [(F.max_pool2d, TF.max_pool2d, dict(kernel_size=3, stride=2, padding=1)),
                       (F.avg_pool2d, TF.avg_pool2d, dict(kernel_size=3, ceil_mode=True)),
                       (F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, dict(output_size=(4, 3))),
                       (F.adaptive_max_pool2d, TF.adaptive_max_pool2d, dict(output_size=5)),
                       (F.lp_pool2d, TF.lp_pool2d, dict(norm_type=2, kernel_size=2))]:
        e = ef(ember.tensor(x), **kw)
        t = tf(torch.tensor(x), **kw)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7, atol=1e-9)
    e, ei = F.max_pool1d(ember.tensor(x[0]), 2, return_indices=True)
    t, ti = TF.max_pool1d(torch.tensor(x[0]), 2, return_indices=True)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    assert ei.dtype == ember.int64


def test_maxpool_nan_propagates():
    x = r(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    e, ei = F.max_pool2d(ember.tensor(x), 2, return_indices=True)
    t, ti = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_allclose(e.numpy(), t.numpy(), equal_nan=True)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())


# ------------------------------------------------------------------ finite differences
@pytest.mark.parametrize("fn", [
    lambda a: F.max_pool2d(a, 3, 2, 1, ceil_mode=True),
    lambda a: F.max_pool2d(a, 2, dilation=2),
    lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda a: F.avg_pool1d(a[0], 3, 2, 1),
    lambda a: F.adaptive_avg_pool2d(a, (3, 2)),
    lambda a: F.adaptive_max_pool2d(a, (3, 4)),
    lambda a: F.lp_pool2d(a.abs() + 0.5, 2, 2),
])
def test_gradcheck(fn):
    x = ember.tensor(r(1, 2, 5, 6), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,))


# ------------------------------------------------------------------ double backward
@pytest.mark.parametrize("name,kw", [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d", dict(kernel_size=2)),
    ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("adaptive_avg_pool2d", dict(output_size=(3, 4))),
    ("adaptive_max_pool2d", dict(output_size=(3, 4))),
], ids=str)
def test_double_backward(name, kw):
    x = r(2, 3, 7, 6)
    e = ember.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    eo = getattr(F, name)(e, **kw)
    to = getattr(TF, name)(t, **kw)
    w = r(*to.shape)
    (eg,) = ember.autograd.grad(((eo * ember.tensor(w)) ** 2).sum(), [e], create_graph=True)
    (tg,) = torch.autograd.grad(((to * torch.tensor(w)) ** 2).sum(), [t], create_graph=True)
    np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=1e-7, atol=1e-9)
    v = r(*x.shape)
    (e2,) = ember.autograd.grad((eg * ember.tensor(v)).sum(), [e])
    (t2,) = torch.autograd.grad((tg * torch.tensor(v)).sum(), [t])
    np.testing.assert_allclose(e2.numpy(), t2.numpy(), rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------ module contract / errors
@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool2d(2), lambda nn: nn.MaxPool2d((3, 2), stride=1, padding=1,
                                                        dilation=2, ceil_mode=True),
    lambda nn: nn.MaxPool1d(3), lambda nn: nn.MaxPool3d(2, return_indices=True),
    lambda nn: nn.AvgPool2d(2), lambda nn: nn.AvgPool1d(3, 2, 1),
    lambda nn: nn.AvgPool2d(3, padding=1, divisor_override=2), lambda nn: nn.AvgPool3d(2),
    lambda nn: nn.AdaptiveAvgPool1d(2), lambda nn: nn.AdaptiveAvgPool2d((None, 3)),
    lambda nn: nn.AdaptiveMaxPool2d(3), lambda nn: nn.AdaptiveMaxPool1d(3, True),
    lambda nn: nn.AdaptiveAvgPool3d(1),
    lambda nn: nn.MaxUnpool2d(2), lambda nn: nn.MaxUnpool1d(3, 2, 1), lambda nn: nn.MaxUnpool3d(2),
    lambda nn: nn.LPPool2d(2, 3), lambda nn: nn.LPPool1d(1.5, 2, stride=1),
])
def test_repr(make):
    assert repr(make(ember.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("call", [
    lambda m, x: m.max_pool2d(x, 2, padding=2),
    lambda m, x: m.max_pool2d(x, 6),
    lambda m, x: m.max_pool2d(x[0, 0, 0], 2),
    lambda m, x: m.max_pool2d(x, 2, stride=0),
    lambda m, x: m.max_pool1d(x, 2),
    lambda m, x: m.avg_pool2d(x, 2, padding=2),
    lambda m, x: m.avg_pool2d(x, 6),
    lambda m, x: m.avg_pool1d(x, 2),
    lambda m, x: m.adaptive_avg_pool2d(x[0, 0, 0], 2),
    lambda m, x: m.adaptive_max_pool2d(x[0, 0, 0], 2),
])
def test_errors(call):
    with pytest.raises(Exception) as te:
        call(TF, torch.zeros(2, 3, 5, 5))
    with pytest.raises(type(te.value)):
        call(F, ember.zeros(2, 3, 5, 5))


def test_unpool_errors():
    x = torch.zeros(2, 3, 5, 5)
    bad = torch.full((2, 3, 5, 5), 100, dtype=torch.long)
    with pytest.raises(RuntimeError):
        TF.max_unpool2d(x, bad, 2)
    with pytest.raises(RuntimeError):
        F.max_unpool2d(ember.zeros(2, 3, 5, 5), ember.tensor(bad.numpy()), 2)
    with pytest.raises(ValueError):
        TF.max_unpool2d(x, bad * 0, 2, output_size=(3, 3))
    with pytest.raises(ValueError):
        F.max_unpool2d(ember.zeros(2, 3, 5, 5), ember.tensor(bad.numpy() * 0), 2,
                       output_size=(3, 3))
