"""Padding, upsampling/interpolate, pixel shuffle, fold/unfold, channel shuffle, grid_sample
and affine_grid against torch: values, gradients, finite differences, reprs and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from tests.nn.layercheck import check_layer

RNG = np.random.default_rng(0)
pytestmark = [pytest.mark.filterwarnings("ignore:Default grid_sample and affine_grid"),
              pytest.mark.filterwarnings("ignore:Since version 1.3.0")]
TF = torch.nn.functional


def r(*shape):
    return RNG.standard_normal(shape)


# ------------------------------------------------------------------ padding layers
PAD_LAYERS = [
    ("ZeroPad1d", 2, (2, 3, 5)), ("ZeroPad1d", (1, -1), (2, 3, 5)),
    ("ZeroPad2d", (1, 2, 0, 3), (2, 3, 5, 4)), ("ZeroPad3d", 1, (1, 2, 3, 4, 3)),
    ("ConstantPad1d", (2, 1), (3, 5)), ("ConstantPad2d", 2, (2, 3, 5, 4)),
    ("ConstantPad3d", (1, 0, 2, 1, 0, 1), (2, 2, 3, 4, 3)),
    ("ReflectionPad1d", (2, 3), (2, 3, 5)), ("ReflectionPad2d", (1, 2, 3, 0), (2, 3, 5, 4)),
    ("ReflectionPad2d", 2, (3, 5, 4)), ("ReflectionPad3d", 1, (1, 2, 3, 4, 3)),
    ("ReplicationPad1d", (3, 1), (2, 3, 5)), ("ReplicationPad2d", (4, 2, 0, 3), (2, 3, 5, 4)),
    ("ReplicationPad3d", (1, 2, 0, 1, 2, 0), (2, 3, 4, 3)),
    ("CircularPad1d", (2, 3), (2, 3, 5)), ("CircularPad2d", (1, 2, 3, 0), (2, 3, 5, 4)),
    ("CircularPad2d", (-1, 2, 1, -2), (2, 3, 5, 4)), ("CircularPad3d", 1, (1, 2, 3, 4, 3)),
]


@pytest.mark.parametrize("name,pad,shape", PAD_LAYERS, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_padding_layers(name, pad, shape, dtype):
    value = (3.5,) if name.startswith("Constant") else ()
    check_layer(lambda nn: getattr(nn, name)(pad, *value), [r(*shape)], dtype=dtype)
    assert repr(getattr(ember.nn, name)(pad, *value)) == repr(getattr(torch.nn, name)(pad, *value))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (2, 0, 1, 3), (-1, 2, 2, -1), (1, 1, 2, 0, 1, 2)],
                         ids=str)
def test_functional_pad(mode, pad):
    shape = {2: (2, 3, 5), 4: (2, 3, 5, 4), 6: (2, 3, 4, 5, 4)}[len(pad)]
    x = r(*shape)
    e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, to = F.pad(e, pad, mode=mode), TF.pad(t, pad, mode=mode)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-7)
    w = r(*to.shape)
    (eo * ember.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)
    assert ember.autograd.gradcheck(lambda a: F.pad(a, pad, mode=mode),
                                    (ember.tensor(r(*shape[:1], 1, *shape[2:]),
                                                  requires_grad=True),))


def test_constant_pad_any_dims_and_value():
    x = r(2, 3, 4)
    e = F.pad(ember.tensor(x), (1, 2, 0, 1, 2, 1), value=-2.0)
    t = TF.pad(torch.tensor(x), (1, 2, 0, 1, 2, 1), value=-2.0)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e = F.pad(ember.tensor(x), (-1, -1))
    np.testing.assert_array_equal(e.numpy(), TF.pad(torch.tensor(x), (-1, -1)).numpy())


def test_circular_pad_dims_error():
    with pytest.raises(ValueError):
        torch.nn.CircularPad2d(1)(torch.zeros(2, 3))
    with pytest.raises(ValueError):
        ember.nn.CircularPad2d(1)(ember.zeros(2, 3))


# ------------------------------------------------------------------ interpolate / Upsample
INTERP = [
    ((2, 3, 5), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5), dict(size=7, mode="nearest")),
    ((2, 3, 7), dict(size=3, mode="nearest-exact")),
    ((2, 3, 5), dict(scale_factor=2.5, mode="linear")),
    ((2, 3, 5), dict(size=8, mode="linear", align_corners=True)),
    ((2, 3, 5, 4), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5, 4), dict(size=(3, 7), mode="nearest")),
    ((2, 3, 5, 4), dict(scale_factor=(1.5, 2.3), mode="nearest")),
    ((2, 3, 5, 4), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 5, 4), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((2, 3, 5, 4), dict(size=(3, 9), mode="bilinear")),
    ((2, 3, 5, 4), dict(size=(1, 9), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 4), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 5, 4), dict(scale_factor=0.6, mode="bilinear")),
    ((2, 3, 5, 4), dict(size=(7, 6), mode="bicubic")),
    ((2, 3, 5, 4), dict(scale_factor=2, mode="bicubic", align_corners=True)),
    ((2, 3, 7, 6), dict(size=(3, 4), mode="area")),
    ((2, 3, 7, 6), dict(scale_factor=0.5, mode="area")),
    ((1, 2, 3, 4, 3), dict(scale_factor=2, mode="trilinear")),
    ((1, 2, 3, 4, 3), dict(size=(2, 5, 4), mode="nearest")),
]


@pytest.mark.parametrize("shape,kw", INTERP, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_upsample(shape, kw, dtype):
    kw = dict(kw)
    size = kw.pop("size", None)
    sf = kw.pop("scale_factor", None)
    check_layer(lambda nn: nn.Upsample(size, sf, **kw), [r(*shape)], dtype=dtype)


def test_upsampling_modules_and_repr():
    x = r(2, 3, 4, 5)
    check_layer(lambda nn: nn.UpsamplingNearest2d(scale_factor=2), [x])
    check_layer(lambda nn: nn.UpsamplingBilinear2d(size=(7, 3)), [x])
    for make in (lambda nn: nn.Upsample(scale_factor=2), lambda nn: nn.Upsample(size=(3, 4)),
                 lambda nn: nn.Upsample(scale_factor=(2, 1.5), mode="bilinear"),
                 lambda nn: nn.UpsamplingBilinear2d(size=3),
                 lambda nn: nn.UpsamplingNearest2d(scale_factor=3)):
        assert repr(make(ember.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("kw", [dict(scale_factor=2, mode="bilinear"),
                                dict(size=(3, 7), mode="bicubic", align_corners=True),
                                dict(size=(4, 3), mode="area")], ids=str)
def test_interpolate_gradcheck_and_double_backward(kw):
    x = ember.tensor(r(1, 2, 4, 5), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: F.interpolate(a, **kw), (x,))
    t = torch.tensor(x.detach().numpy(), requires_grad=True)
    (eg,) = ember.autograd.grad((F.interpolate(x, **kw) ** 2).sum(), [x], create_graph=True)
    (tg,) = torch.autograd.grad((TF.interpolate(t, **kw) ** 2).sum(), [t], create_graph=True)
    (e2,) = ember.autograd.grad(eg.sum(), [x])
    (t2,) = torch.autograd.grad(tg.sum(), [t])
    np.testing.assert_allclose(e2.numpy(), t2.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("call", [
    lambda m, x: m.interpolate(x, scale_factor=2, mode="linear"),
    lambda m, x: m.interpolate(x, scale_factor=2, mode="nearest", align_corners=True),
    lambda m, x: m.interpolate(x, size=3, scale_factor=2),
    lambda m, x: m.interpolate(x),
    lambda m, x: m.interpolate(x, size=(3, 3, 3)),
    lambda m, x: m.interpolate(x, scale_factor=2, mode="foo"),
    lambda m, x: m.interpolate(x, size=(3, 3), recompute_scale_factor=True),
    lambda m, x: m.pixel_shuffle(x, 2),
    lambda m, x: m.pixel_unshuffle(x, 2),
    lambda m, x: m.channel_shuffle(x, 2),
    lambda m, x: m.grid_sample(x, x.new_zeros(2, 3, 3, 3), align_corners=False),
    lambda m, x: m.grid_sample(x, x.new_zeros(2, 3, 3, 2), mode="foo", align_corners=False),
    lambda m, x: m.grid_sample(x, x.new_zeros(1, 3, 3, 2), align_corners=False),
    lambda m, x: m.affine_grid(x.new_zeros(2, 2, 3), (2, 3, 4), align_corners=False),
    lambda m, x: m.affine_grid(x.new_zeros(2, 3, 3), (2, 3, 4, 4), align_corners=False),
])
def test_errors(call):
    with pytest.raises(Exception) as te:
        call(TF, torch.zeros(2, 3, 5, 5))
    with pytest.raises(type(te.value)):
        call(F, ember.zeros(2, 3, 5, 5))


# ------------------------------------------------------------------ shuffles, fold/unfold
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pixel_shuffle(dtype):
    check_layer(lambda nn: nn.PixelShuffle(2), [r(2, 8, 3, 4)], dtype=dtype)
    check_layer(lambda nn: nn.PixelShuffle(3), [r(9, 2, 3)], dtype=dtype)
    check_layer(lambda nn: nn.PixelUnshuffle(2), [r(2, 2, 4, 6)], dtype=dtype)
    check_layer(lambda nn: nn.PixelUnshuffle(3), [r(3, 1, 2, 6, 3)], dtype=dtype)
    check_layer(lambda nn: nn.ChannelShuffle(3), [r(2, 6, 3, 2)], dtype=dtype)
    for make in (lambda nn: nn.PixelShuffle(2), lambda nn: nn.PixelUnshuffle(3),
                 lambda nn: nn.ChannelShuffle(2)):
        assert repr(make(ember.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(1, 2),
                                                          padding=1, stride=(2, 1)),
                                dict(kernel_size=3, stride=2, padding=1)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fold_unfold(kw, dtype):
    x = r(2, 3, 6, 7)
    check_layer(lambda nn: nn.Unfold(**kw), [x], dtype=dtype)
    check_layer(lambda nn: nn.Unfold(**kw), [x[0]], dtype=dtype)
    cols = TF.unfold(torch.tensor(x), **kw)
    check_layer(lambda nn: nn.Fold((6, 7), **kw), [r(*cols.shape)], dtype=dtype)
    check_layer(lambda nn: nn.Fold((6, 7), **kw), [r(*cols.shape[1:])], dtype=dtype)
    assert repr(ember.nn.Fold((6, 7), **kw)) == repr(torch.nn.Fold((6, 7), **kw))
    assert repr(ember.nn.Unfold(**kw)) == repr(torch.nn.Unfold(**kw))


# ------------------------------------------------------------------ grid_sample / affine_grid
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample(mode, padding_mode, align_corners):
    x = r(2, 3, 5, 4)
    grid = RNG.uniform(-1.3, 1.3, (2, 4, 6, 2))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    for dtype, tol in (("float64", 1e-7), ("float32", 1e-5)):
        e = [ember.tensor(a.astype(dtype), requires_grad=True) for a in (x, grid)]
        t = [torch.tensor(a.astype(dtype), requires_grad=True) for a in (x, grid)]
        eo, to = F.grid_sample(*e, **kw), TF.grid_sample(*t, **kw)
        np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=tol,
                                   atol=tol)
        w = r(*to.shape).astype(dtype)
        (eo * ember.tensor(w)).sum().backward()
        (to * torch.tensor(w)).sum().backward()
        for a, b in zip(e, t):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol * 10)
    if mode == "bilinear":
        xs = ember.tensor(r(1, 2, 3, 4), requires_grad=True)
        gs = ember.tensor(RNG.uniform(-0.9, 0.9, (1, 2, 3, 2)), requires_grad=True)
        assert ember.autograd.gradcheck(lambda a, b: F.grid_sample(a, b, **kw), (xs, gs))


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(align_corners):
    for theta_shape, size in (((2, 2, 3), (2, 3, 4, 5)), ((2, 3, 4), (2, 1, 3, 4, 2)),
                              ((1, 2, 3), (1, 1, 1, 3))):
        theta = r(*theta_shape)
        e = ember.tensor(theta, requires_grad=True)
        t = torch.tensor(theta, requires_grad=True)
        eo = F.affine_grid(e, size, align_corners=align_corners)
        to = TF.affine_grid(t, size, align_corners=align_corners)
        np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-7,
                                   atol=1e-12)
        w = r(*to.shape)
        (eo * ember.tensor(w)).sum().backward()
        (to * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-12)
