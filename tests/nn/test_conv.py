"""Convolution layers and functionals against torch: values, gradients, double backward,
finite differences, the composite twin, the threaded path, reprs, init and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember.backend import threads
import ember.nn.functional as F
from ember.ops import conv as conv_ops
from tests.nn.layercheck import check_layer

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")
RNG = np.random.default_rng(0)


def r(*shape):
    return RNG.standard_normal(shape)


# ------------------------------------------------------------------ layers vs torch
CONV2D = [
    dict(),
    dict(stride=2),
    dict(stride=(2, 1), padding=(1, 2)),
    dict(padding=1, dilation=2),
    dict(padding="same"),
    dict(padding="same", dilation=(1, 2)),
    dict(padding="valid"),
    dict(groups=2, padding=1),
    dict(groups=4, padding=1),            # depthwise
    dict(bias=False, stride=2, padding=1),
    dict(padding=1, padding_mode="reflect"),
    dict(padding=(1, 2), padding_mode="replicate"),
    dict(padding=2, padding_mode="circular"),
    dict(padding="same", padding_mode="reflect"),
]


@pytest.mark.parametrize("kw", CONV2D, ids=str)
@pytest.mark.parametrize("kernel", [3, (2, 3), 4])
def test_conv2d_layer(kw, kernel):
    x = r(2, 4, 7, 6)
    check_layer(lambda nn: nn.Conv2d(4, 8, kernel, **kw), [x], dtype="float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
def test_conv2d_layer_dtypes_modes(dtype, train):
    x = r(3, 4, 9, 8)
    check_layer(lambda nn: nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2), [x], dtype=dtype,
                train=train)
    check_layer(lambda nn: nn.Conv2d(4, 8, 1), [x], dtype=dtype, train=train)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding="same"),
                                dict(padding=2, dilation=2, groups=2, bias=False),
                                dict(padding=1, padding_mode="circular"),
                                dict(padding=2, padding_mode="reflect"),
                                dict(padding=1, padding_mode="replicate")], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv1d_layer(kw, dtype):
    check_layer(lambda nn: nn.Conv1d(4, 6, 4, **kw), [r(3, 4, 11)], dtype=dtype)


@pytest.mark.parametrize("kw", [dict(), dict(stride=(1, 2, 1), padding=1, groups=2),
                                dict(padding="same", dilation=(2, 1, 1)),
                                dict(padding=1, padding_mode="circular"),
                                dict(padding=1, padding_mode="replicate", bias=False)], ids=str)
def test_conv3d_layer(kw):
    check_layer(lambda nn: nn.Conv3d(2, 4, (3, 2, 2), **kw), [r(2, 2, 5, 4, 5)])


CONVT = [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1),
         dict(stride=3, padding=1, output_padding=2, dilation=2),
         dict(stride=1, padding=1, output_padding=1, dilation=2),
         dict(groups=2, stride=2, bias=False), dict(padding=(1, 0), stride=(2, 1))]


@pytest.mark.parametrize("kw", CONVT, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_transpose2d_layer(kw, dtype):
    check_layer(lambda nn: nn.ConvTranspose2d(4, 6, 3, **kw), [r(2, 4, 5, 4)], dtype=dtype)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, output_padding=1),
                                dict(groups=2, dilation=2), dict(bias=False, stride=3)], ids=str)
def test_conv_transpose1d_3d_layer(kw):
    check_layer(lambda nn: nn.ConvTranspose1d(4, 6, 3, **kw), [r(2, 4, 6)])
    check_layer(lambda nn: nn.ConvTranspose3d(4, 2, 2, **kw), [r(1, 4, 3, 4, 3)])


def test_conv_transpose_output_size():
    x = r(2, 4, 5, 4)
    check_layer(lambda nn: nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1), [x],
                kwargs=dict(output_size=(10, 8)))
    with pytest.raises(ValueError):
        torch.nn.ConvTranspose2d(4, 3, 3, stride=2)(torch.tensor(x).float(), output_size=(3, 3))
    with pytest.raises(ValueError):
        ember.nn.ConvTranspose2d(4, 3, 3, stride=2)(ember.tensor(x).float(), output_size=(3, 3))


def test_unbatched_inputs():
    check_layer(lambda nn: nn.Conv2d(3, 4, 3, padding=1), [r(3, 5, 5)])
    check_layer(lambda nn: nn.Conv1d(3, 4, 3), [r(3, 7)])
    check_layer(lambda nn: nn.ConvTranspose2d(3, 4, 3, stride=2), [r(3, 4, 4)])


def test_odd_sizes_and_big_kernel():
    check_layer(lambda nn: nn.Conv2d(3, 5, (5, 1), stride=(3, 2), dilation=(1, 3)),
                [r(1, 3, 11, 7)])
    check_layer(lambda nn: nn.Conv2d(3, 2, (7, 6)), [r(2, 3, 7, 6)])   # kernel == input


# ------------------------------------------------------------------ functional forms
def _cmp_fn(ef, tf, arrays, dtype="float64", **kw):
    tol = dict(rtol=1e-7, atol=1e-9) if dtype == "float64" else dict(rtol=1e-5, atol=1e-5)
    e = [None if a is None else ember.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    t = [None if a is None else torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    eo, to = ef(*e, **kw), tf(*t, **kw)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), **tol)
    w = r(*to.shape).astype(dtype)
    (eo * ember.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    for a, b in zip(e, t):
        if a is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_functional_conv(dtype):
    tf = torch.nn.functional
    _cmp_fn(F.conv2d, tf.conv2d, [r(2, 4, 7, 6), r(6, 2, 3, 2), r(6)], dtype, stride=(2, 1),
            padding=(1, 2), dilation=(2, 1), groups=2)
    _cmp_fn(F.conv1d, tf.conv1d, [r(3, 4, 9), r(5, 4, 3), None], dtype, stride=2, padding=1)
    _cmp_fn(F.conv3d, tf.conv3d, [r(2, 4, 5, 4, 6), r(6, 2, 3, 2, 2), r(6)], dtype,
            stride=(1, 2, 1), padding=1, groups=2)
    _cmp_fn(F.conv_transpose2d, tf.conv_transpose2d, [r(2, 4, 5, 4), r(4, 3, 3, 2), r(6)], dtype,
            stride=2, padding=1, output_padding=1, groups=2)
    _cmp_fn(F.conv_transpose1d, tf.conv_transpose1d, [r(2, 4, 5), r(4, 3, 3), r(3)], dtype,
            stride=3, padding=2, output_padding=1, dilation=2)
    _cmp_fn(F.conv_transpose3d, tf.conv_transpose3d, [r(1, 2, 3, 3, 2), r(2, 2, 2, 2, 2), None],
            dtype, stride=2)


def test_functional_noncontiguous_and_no_input_grad():
    x = r(2, 6, 5, 4).transpose(0, 1, 3, 2)[:, ::2]
    w = r(4, 3, 3, 3)
    xe, xt = ember.tensor(x.copy()), torch.tensor(x.copy())
    xe = ember.from_numpy(np.asarray(x))
    we, wt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    oe, ot = F.conv2d(xe, we, padding=1), torch.nn.functional.conv2d(xt, wt, padding=1)
    np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), rtol=1e-7, atol=1e-9)
    oe.sum().backward()
    ot.sum().backward()
    np.testing.assert_allclose(we.grad.numpy(), wt.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_empty_batch():
    e = F.conv2d(ember.zeros(0, 3, 5, 5), ember.zeros(4, 3, 3, 3), ember.ones(4))
    t = torch.nn.functional.conv2d(torch.zeros(0, 3, 5, 5), torch.zeros(4, 3, 3, 3),
                                   torch.ones(4))
    assert tuple(e.shape) == tuple(t.shape)


def test_float16_computes():
    x, w = r(1, 2, 5, 5), r(3, 2, 3, 3)
    e = F.conv2d(ember.tensor(x).half(), ember.tensor(w).half())
    t = torch.nn.functional.conv2d(torch.tensor(x).float(), torch.tensor(w).float())
    assert e.dtype == ember.float16
    np.testing.assert_allclose(e.float().numpy(), t.numpy(), rtol=1e-2, atol=1e-2)


# ------------------------------------------------------------------ threads and chunks
@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, groups=2)], ids=str)
def test_threaded_chunked_path(monkeypatch, kw):
    """Large enough to split over two threads and several chunks per thread."""
    monkeypatch.setattr(threads, "THREAD_FLOPS", 0)
    monkeypatch.setattr(threads, "_num_threads", 2)
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 1)
    tf = torch.nn.functional
    _cmp_fn(F.conv2d, tf.conv2d, [r(7, 4, 6, 5), r(6, 4 // kw.get("groups", 1), 3, 3), r(6)],
            **kw)
    _cmp_fn(F.conv_transpose2d, tf.conv_transpose2d, [r(5, 4, 4, 3), r(4, 3, 3, 3), None],
            stride=2)


# ------------------------------------------------------------------ composite twin
def _composite_conv2d(x, w, b, padding):
    """conv2d from basic ember ops: one einsum per kernel tap over shifted slices."""
    xp = F.pad(x, (padding, padding, padding, padding))
    kh, kw = w.shape[2:]
    H = xp.shape[2] - kh + 1
    W = xp.shape[3] - kw + 1
    out = None
    for i in range(kh):
        for j in range(kw):
            term = ember.einsum("nchw,oc->nohw", xp[:, :, i:i + H, j:j + W], w[:, :, i, j])
            out = term if out is None else out + term
    return out + b.reshape(1, -1, 1, 1)


def test_composite_twin():
    x, w, b = r(2, 3, 6, 5), r(4, 3, 3, 2), r(4)
    args = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
    twin = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
    o1 = F.conv2d(*args, padding=1)
    o2 = _composite_conv2d(*twin, padding=1)
    np.testing.assert_allclose(o1.detach().numpy(), o2.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = ember.tensor(r(*o1.shape))
    (o1 * g).sum().backward()
    (o2 * g).sum().backward()
    for a, c in zip(args, twin):
        np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ finite differences
@pytest.mark.parametrize("case", [
    (F.conv2d, (2, 4, 5, 4), (4, 2, 3, 2), dict(stride=(2, 1), padding=1, groups=2)),
    (F.conv2d, (1, 3, 4, 4), (2, 3, 2, 2), dict(padding="same", dilation=2)),
    (F.conv1d, (2, 2, 6), (3, 2, 3), dict(stride=2, padding=2)),
    (F.conv_transpose2d, (1, 2, 3, 3), (2, 3, 3, 2), dict(stride=2, padding=1,
                                                          output_padding=1)),
    (F.conv_transpose1d, (2, 2, 4), (2, 1, 3), dict(groups=2, dilation=2)),
], ids=lambda c: c[0].__name__ + str(c[3]))
def test_gradcheck_conv(case):
    fn, xs, ws, kw = case
    x = ember.tensor(r(*xs), requires_grad=True)
    w = ember.tensor(r(*ws), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: fn(a, b, **kw), (x, w))


def test_gradcheck_fold_unfold_pad():
    x = ember.tensor(r(1, 2, 4, 5), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: F.unfold(a, (2, 3), padding=1, stride=(1, 2)), (x,))
    c = ember.tensor(r(1, 8, 6), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: F.fold(a, (3, 4), 2, dilation=(1, 1)), (c,))
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert ember.autograd.gradcheck(lambda a: F.pad(a, (2, 1, 1, -1), mode=mode), (x,))


# ------------------------------------------------------------------ double backward
def _double_backward(ef, tf, arrays, **kw):
    e = [ember.tensor(a, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    eo, to = ef(*e, **kw), tf(*t, **kw)
    w = r(*to.shape)
    eg = ember.autograd.grad((eo * ember.tensor(w)).sum(), e, create_graph=True)
    tg = torch.autograd.grad((to * torch.tensor(w)).sum(), t, create_graph=True)
    vs = [r(*a.shape) for a in arrays]
    es = sum((g * ember.tensor(v)).sum() for g, v in zip(eg, vs))
    ts = sum((g * torch.tensor(v)).sum() for g, v in zip(tg, vs))
    e2 = ember.autograd.grad(es, e, allow_unused=True)
    t2 = torch.autograd.grad(ts, t, allow_unused=True)
    for a, b in zip(e2, t2):
        if b is None:
            assert a is None or not np.any(a.numpy())
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("case", [
    ("conv2d", [(2, 4, 7, 6), (6, 2, 3, 2), (6,)], dict(stride=(2, 1), padding=(1, 2),
                                                        dilation=(2, 1), groups=2)),
    ("conv2d", [(2, 8, 5, 5), (8, 8, 3, 3), (8,)], dict(padding=1)),
    ("conv1d", [(2, 4, 7), (6, 4, 3)], dict(stride=2, padding=1)),
    ("conv_transpose2d", [(2, 4, 5, 4), (4, 3, 3, 2), (6,)], dict(stride=2, padding=1,
                                                                   output_padding=1, groups=2)),
    ("conv_transpose1d", [(2, 4, 5), (4, 3, 3)], dict(stride=2, dilation=2)),
], ids=lambda c: c[0] + str(c[2]))
def test_double_backward(case):
    name, shapes, kw = case
    _double_backward(getattr(F, name), getattr(torch.nn.functional, name),
                     [r(*s) for s in shapes], **kw)


def test_double_backward_fold_unfold_pad():
    tf = torch.nn.functional
    _double_backward(lambda x: F.unfold(x, 2, padding=1) ** 2,
                     lambda x: tf.unfold(x, 2, padding=1) ** 2, [r(2, 3, 5, 4)])
    _double_backward(lambda x: F.fold(x, (4, 5), 2) ** 2,
                     lambda x: tf.fold(x, (4, 5), 2) ** 2, [r(2, 12, 12)])
    for mode in ("constant", "reflect", "replicate", "circular"):
        _double_backward(lambda x: F.pad(x, (1, 2, -1, 2), mode=mode) ** 2,
                         lambda x: tf.pad(x, (1, 2, -1, 2), mode=mode) ** 2, [r(2, 3, 5, 4)])


# ------------------------------------------------------------------ module contract
@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 4, 3),
    lambda nn: nn.Conv2d(3, 4, (3, 2), stride=2, padding=1, dilation=2, bias=False,
                         padding_mode="reflect"),
    lambda nn: nn.Conv1d(2, 2, 3, padding="same", groups=2),
    lambda nn: nn.Conv3d(2, 4, 3, padding="valid"),
    lambda nn: nn.ConvTranspose2d(4, 4, 3, output_padding=1, stride=2, groups=2),
    lambda nn: nn.ConvTranspose1d(4, 2, 3, dilation=2, bias=False),
    lambda nn: nn.ConvTranspose3d(2, 2, 2),
])
def test_repr_state_dict_and_init(make):
    t, e = make(torch.nn), make(ember.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    for (name, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        assert tuple(pe.shape) == tuple(pt.shape), name
    fan_in = e.weight.shape[1] * math.prod(e.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(e.weight.detach().numpy()).max() <= bound + 1e-7
    if e.bias is not None:
        assert np.abs(e.bias.detach().numpy()).max() <= bound + 1e-7
    assert e._reversed_padding_repeated_twice == t._reversed_padding_repeated_twice or \
        list(e._reversed_padding_repeated_twice) == list(t._reversed_padding_repeated_twice)


def test_init_distribution():
    e = ember.nn.Conv2d(64, 64, 3)
    w = e.weight.detach().numpy()
    bound = 1 / math.sqrt(64 * 9)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 4, 3, groups=2),
    lambda nn: nn.Conv2d(4, 3, 3, groups=2),
    lambda nn: nn.Conv2d(4, 4, 3, groups=0),
    lambda nn: nn.Conv2d(4, 4, 3, padding="foo"),
    lambda nn: nn.Conv2d(4, 4, 3, stride=2, padding="same"),
    lambda nn: nn.Conv2d(4, 4, 3, padding_mode="mirror"),
    lambda nn: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
])
def test_constructor_errors(make):
    with pytest.raises(ValueError):
        make(torch.nn)
    with pytest.raises(ValueError):
        make(ember.nn)


# ------------------------------------------------------------------ errors vs torch
def _raises_like(fn_name, *shapes, **kw):
    n = 2 if fn_name.startswith("conv") else 1   # how many leading args are tensor shapes
    t_args = [torch.zeros(s) if i < n else s for i, s in enumerate(shapes)]
    e_args = [ember.zeros(s) if i < n else s for i, s in enumerate(shapes)]
    with pytest.raises(Exception) as te:
        getattr(torch.nn.functional, fn_name)(*t_args, **kw)
    with pytest.raises(type(te.value)):
        getattr(F, fn_name)(*e_args, **kw)


@pytest.mark.parametrize("case", [
    ("conv2d", (5, 5), (4, 3, 3, 3), {}),                     # wrong input dims
    ("conv2d", (2, 3, 5, 5), (4, 3, 3), {}),                  # wrong weight dims
    ("conv2d", (2, 3, 5, 5), (4, 2, 3, 3), {}),               # channel mismatch
    ("conv2d", (2, 4, 5, 5), (3, 2, 3, 3), dict(groups=2)),   # out not divisible by groups
    ("conv2d", (2, 3, 5, 5), (4, 1, 3, 3), dict(groups=2)),   # in not divisible by groups
    ("conv2d", (2, 3, 5, 5), (4, 3, 7, 7), {}),               # kernel larger than input
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(padding="same", stride=2)),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(padding="foo")),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(stride=0)),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(padding=-1)),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(dilation=0)),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(groups=0)),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(stride=(1, 1, 1))),
    ("conv2d", (2, 3, 5, 5), (4, 3, 3, 3), dict(bias=torch.zeros(3))),
    ("conv1d", (2, 3), (4, 3, 1), {}),
    ("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), dict(stride=2, output_padding=2)),
    ("conv_transpose2d", (2, 3, 5, 5), (4, 4, 3, 3), {}),
    ("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), dict(padding="same")),
    ("unfold", (2, 3, 4, 4), 5, {}),
    ("unfold", (3, 4), 2, {}),
    ("fold", (2, 12, 8), (4, 4), {"kernel_size": 2}),
    ("fold", (2, 11, 9), (4, 4), {"kernel_size": 2}),
    ("pad", (2, 3, 5, 5), (1, 2, 3), {}),
    ("pad", (2, 3, 5, 5), (3, 3), dict(mode="reflect")),
    ("pad", (2, 3, 5, 5), (5, 5, 1, 1), dict(mode="reflect")),
    ("pad", (2, 3, 5, 5), (6, 6, 1, 1), dict(mode="circular")),
    ("pad", (2, 3, 5, 5), (1, 1), dict(mode="foo")),
    ("pad", (2, 3, 5, 5), (1,) * 10, {}),
    ("pad", (2, 3, 5, 5), (1, 1, 1, 1), dict(mode="reflect", value=1.0)),
    ("pad", (2, 0, 3, 3), (1, 1, 1, 1), dict(mode="reflect")),
], ids=lambda c: f"{c[0]}{c[1:]}")
def test_errors(case):
    name, a, b, kw = case
    if "bias" in kw:
        with pytest.raises(RuntimeError):
            torch.nn.functional.conv2d(torch.zeros(a), torch.zeros(b), kw["bias"])
        with pytest.raises(RuntimeError):
            F.conv2d(ember.zeros(a), ember.zeros(b), ember.zeros(3))
        return
    _raises_like(name, a, b, **kw)


def test_dtype_mismatch():
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv2d(torch.zeros(1, 3, 5, 5, dtype=torch.float64),
                                   torch.zeros(4, 3, 3, 3))
    with pytest.raises(RuntimeError):
        F.conv2d(ember.zeros(1, 3, 5, 5, dtype=ember.float64), ember.zeros(4, 3, 3, 3))
