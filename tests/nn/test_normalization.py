"""Normalisation layers and functionals against torch: BatchNorm, LayerNorm, GroupNorm,
InstanceNorm, RMSNorm, LocalResponseNorm (values, gradients, running stats, double backward,
float64 gradcheck, errors, repr, state_dict keys)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.nn.layercheck import check_layer

F = ember.nn.functional
TF = torch.nn.functional
rng = np.random.default_rng(0)
X2 = rng.standard_normal((6, 3))
X3 = rng.standard_normal((4, 3, 7))
X4 = rng.standard_normal((4, 3, 5, 6))
X5 = rng.standard_normal((2, 3, 3, 4, 2))

LAYERS = [
    ("bn1d_2d", lambda nn: nn.BatchNorm1d(3), [X2]),
    ("bn1d_3d", lambda nn: nn.BatchNorm1d(3, eps=1e-3, momentum=0.3), [X3]),
    ("bn1d_noaffine", lambda nn: nn.BatchNorm1d(3, affine=False), [X2]),
    ("bn1d_nobias", lambda nn: nn.BatchNorm1d(3, bias=False), [X3]),
    ("bn1d_notrack", lambda nn: nn.BatchNorm1d(3, track_running_stats=False), [X3]),
    ("bn1d_momnone", lambda nn: nn.BatchNorm1d(3, momentum=None), [X3]),
    ("bn2d", lambda nn: nn.BatchNorm2d(3), [X4]),
    ("bn2d_notrack_noaffine",
     lambda nn: nn.BatchNorm2d(3, affine=False, track_running_stats=False), [X4]),
    ("bn3d", lambda nn: nn.BatchNorm3d(3), [X5]),
    ("ln", lambda nn: nn.LayerNorm(7), [X3]),
    ("ln_2dims", lambda nn: nn.LayerNorm((5, 6), eps=1e-3), [X4]),
    ("ln_nobias", lambda nn: nn.LayerNorm(7, bias=False), [X3]),
    ("ln_noaffine", lambda nn: nn.LayerNorm([3, 7], elementwise_affine=False), [X3]),
    ("gn", lambda nn: nn.GroupNorm(3, 3), [X4]),
    ("gn_one", lambda nn: nn.GroupNorm(1, 3, eps=1e-3), [X3]),
    ("gn_noaffine", lambda nn: nn.GroupNorm(3, 3, affine=False), [X5]),
    ("gn_nobias", lambda nn: nn.GroupNorm(1, 3, bias=False), [X2]),
    ("in1d", lambda nn: nn.InstanceNorm1d(3), [X3]),
    ("in1d_unbatched", lambda nn: nn.InstanceNorm1d(3, affine=True), [X3[0]]),
    ("in2d_affine_track",
     lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), [X4]),
    ("in2d_track", lambda nn: nn.InstanceNorm2d(3, track_running_stats=True, momentum=0.5),
     [X4]),
    ("in3d", lambda nn: nn.InstanceNorm3d(3, affine=True), [X5]),
    ("rms", lambda nn: nn.RMSNorm(7), [X3]),
    ("rms_eps", lambda nn: nn.RMSNorm([5, 6], eps=1e-3), [X4]),
    ("rms_noaffine", lambda nn: nn.RMSNorm(7, elementwise_affine=False), [X3]),
    ("lrn", lambda nn: nn.LocalResponseNorm(2), [X4]),
    ("lrn3", lambda nn: nn.LocalResponseNorm(3, alpha=0.5, beta=0.6, k=2.0), [X3]),
    ("lrn5d", lambda nn: nn.LocalResponseNorm(4, alpha=0.3), [X5]),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make, inputs, train, dtype):
    check_layer(make, inputs, dtype=dtype, train=train)


@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[c[0] for c in LAYERS])
def test_repr_and_state_dict_keys(name, make, inputs):
    t, e = make(torch.nn), make(ember.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]


@pytest.mark.parametrize("momentum", [0.1, None, 0.7])
@pytest.mark.parametrize("kind", ["bn2d", "in2d"])
def test_running_stats_over_several_steps(momentum, kind):
    """Several train steps then eval: running stats (unbiased var), num_batches_tracked and
    eval outputs as torch."""
    def make(nn):
        if kind == "bn2d":
            return nn.BatchNorm2d(3, momentum=momentum)
        return nn.InstanceNorm2d(3, momentum=momentum, affine=True, track_running_stats=True)
    t, e = make(torch.nn).double(), make(ember.nn).double()
    for step in range(4):
        x = rng.standard_normal((3, 3, 4, 5)) * (step + 1) + step
        t(torch.tensor(x))
        e(ember.tensor(x))
        for (n, tb), (_, eb) in zip(t.named_buffers(), e.named_buffers()):
            np.testing.assert_allclose(eb.numpy(), tb.numpy(), rtol=1e-10, err_msg=n)
    t.eval()
    e.eval()
    x = rng.standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)


def test_batchnorm_running_stats_float32_and_version():
    t, e = torch.nn.BatchNorm1d(4), ember.nn.BatchNorm1d(4)
    x = rng.standard_normal((8, 4)).astype("float32")
    for _ in range(3):
        t(torch.tensor(x))
        v0 = e.running_mean._version
        e(ember.tensor(x))
        assert e.running_mean._version > v0
    np.testing.assert_allclose(e.running_var.numpy(), t.running_var.numpy(), rtol=1e-5)
    assert int(e.num_batches_tracked.item()) == 3
    assert e.num_batches_tracked.dtype == ember.int64


def test_batchnorm_eval_without_running_stats_uses_batch_stats():
    check_layer(lambda nn: nn.BatchNorm1d(3, track_running_stats=False), [X3], train=False)


# ------------------------------------------------------------------ functionals
def _pair(a, rg=False):
    return ember.tensor(a, requires_grad=rg), torch.tensor(a, requires_grad=rg)


def _cmp(e, t, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("training", [True, False])
def test_F_batch_norm(training):
    x, tx = _pair(X4, True)
    w, tw = _pair(rng.standard_normal(3), True)
    b, tb = _pair(rng.standard_normal(3), True)
    rm, trm = _pair(rng.standard_normal(3))
    rv, trv = _pair(rng.random(3) + 0.5)
    out = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.2, eps=1e-4)
    tout = TF.batch_norm(tx, trm, trv, tw, tb, training=training, momentum=0.2, eps=1e-4)
    _cmp(out, tout)
    _cmp(rm, trm)
    _cmp(rv, trv)
    g = rng.standard_normal(X4.shape)
    out.backward(ember.tensor(g))
    tout.backward(torch.tensor(g))
    for a, ta in ((x, tx), (w, tw), (b, tb)):
        _cmp(a.grad, ta.grad)


def test_F_functionals_match_torch():
    x, tx = _pair(X4)
    w, tw = _pair(rng.standard_normal((5, 6)))
    _cmp(F.layer_norm(x, (5, 6), w, None, 1e-3), TF.layer_norm(tx, (5, 6), tw, None, 1e-3))
    _cmp(F.rms_norm(x, [6]), TF.rms_norm(tx, [6]))
    c, tc = _pair(rng.standard_normal(3))
    _cmp(F.group_norm(x, 3, c, c), TF.group_norm(tx, 3, tc, tc))
    _cmp(F.instance_norm(x, weight=c), TF.instance_norm(tx, weight=tc))
    rm, trm = _pair(rng.standard_normal(3))
    rv, trv = _pair(rng.random(3) + 0.5)
    _cmp(F.instance_norm(x, rm, rv, use_input_stats=False),
         TF.instance_norm(tx, trm, trv, use_input_stats=False))
    F.instance_norm(x, rm, rv, momentum=0.3)
    TF.instance_norm(tx, trm, trv, momentum=0.3)
    _cmp(rm, trm)
    _cmp(rv, trv)
    _cmp(F.local_response_norm(x, 3, 0.1, 0.5, 1.5), TF.local_response_norm(tx, 3, 0.1, 0.5, 1.5))
    e0, t0 = _pair(np.zeros((2, 3, 0)))
    assert F.local_response_norm(e0, 2).shape == TF.local_response_norm(t0, 2).shape


def test_non_contiguous_and_broadcast_grads():
    base = rng.standard_normal((5, 4, 3, 6))
    x, tx = _pair(base, True)
    xe, xt = x.permute(0, 3, 2, 1), tx.permute(0, 3, 2, 1)   # (5, 6, 3, 4), non-contiguous
    _cmp(F.batch_norm(xe, None, None, training=True).sum(dim=0).sum(),
         TF.batch_norm(xt, None, None, training=True).sum(dim=0).sum())
    F.layer_norm(xe, (4,)).sum().backward()
    TF.layer_norm(xt, (4,)).sum().backward()
    _cmp(x.grad, tx.grad, atol=1e-8)


def test_float16_computes_in_float32():
    x = rng.standard_normal((4, 3, 5)).astype("float16")
    for ef, tf in ((lambda a: F.layer_norm(a, (5,)), lambda a: TF.layer_norm(a, (5,))),
                   (lambda a: F.batch_norm(a, None, None, training=True),
                    lambda a: TF.batch_norm(a, None, None, training=True)),
                   (lambda a: F.group_norm(a, 3), lambda a: TF.group_norm(a, 3)),
                   (lambda a: F.rms_norm(a, (5,)), lambda a: TF.rms_norm(a, (5,)))):
        e = ef(ember.tensor(x))
        t = tf(torch.tensor(x))
        assert e.dtype == ember.float16
        np.testing.assert_allclose(e.numpy().astype("float32"), t.numpy().astype("float32"),
                                   rtol=2e-3, atol=2e-3)
    # RMSNorm's default eps for float16 inputs is float32's eps, as torch
    tiny = np.full((1, 4), 1e-3, dtype="float16")
    np.testing.assert_allclose(F.rms_norm(ember.tensor(tiny), (4,)).numpy(),
                               TF.rms_norm(torch.tensor(tiny), (4,)).numpy(), rtol=1e-3)


# ------------------------------------------------------------------ gradcheck, composite twin
def _bn_twin(x, w, b, eps=1e-5):
    mean = x.mean(dim=(0, 2), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2), keepdim=True)
    return (x - mean) / (var + eps).sqrt() * w.reshape(1, -1, 1) + b.reshape(1, -1, 1)


def test_fused_batch_norm_matches_composite_twin():
    x, _ = _pair(X3, True)
    w, _ = _pair(rng.standard_normal(3), True)
    b, _ = _pair(rng.standard_normal(3), True)
    g = ember.tensor(rng.standard_normal(X3.shape))
    fused = ember.autograd.grad(F.batch_norm(x, None, None, w, b, True), (x, w, b), g)
    twin = ember.autograd.grad(_bn_twin(x, w, b), (x, w, b), g)
    for a, c in zip(fused, twin):
        _cmp(a, c)


GRADCHECK = [
    ("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (3, 3, 4), 3),
    ("batch_norm_eval",
     lambda x, w, b: F.batch_norm(x, ember.full((3,), 0.3, dtype=ember.float64),
                                  ember.full((3,), 1.5, dtype=ember.float64), w, b, False),
     (3, 3, 4), 3),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), (3, 3, 4), 4),
    ("layer_norm_plain", lambda x, w, b: F.layer_norm(x, (3, 4)) * w.sum() + b.sum(),
     (2, 3, 4), 4),
    ("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b), (2, 3, 4), 3),
    ("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 3, 4), 3),
    ("rms_norm", lambda x, w, b: F.rms_norm(x, (4,), w) + b, (2, 3, 4), 4),
    ("lrn", lambda x, w, b: F.local_response_norm(x * w.reshape(1, 3, 1), 2, 0.5, 0.7, 1.2)
     + b.sum(), (2, 3, 4), 3),
]


def _gc_inputs(shape, wn):
    x = ember.tensor(rng.standard_normal(shape), requires_grad=True)
    w = ember.tensor(rng.standard_normal(wn), requires_grad=True)
    b = ember.tensor(rng.standard_normal(wn), requires_grad=True)
    return x, w, b


@pytest.mark.parametrize("name,fn,shape,wn", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck_float64(name, fn, shape, wn):
    assert gradcheck(fn, _gc_inputs(shape, wn))


@pytest.mark.parametrize("name,fn,shape,wn", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradgradcheck_float64(name, fn, shape, wn):
    assert gradgradcheck(fn, _gc_inputs(shape, wn))


DOUBLE = [
    ("batch_norm_train", lambda m, x, w, b: m.batch_norm(x, None, None, w, b, True)),
    ("batch_norm_eval", lambda m, x, w, b: m.batch_norm(
        x, m_buf(m, 0.2), m_buf(m, 1.3), w, b, False)),
    ("layer_norm", lambda m, x, w, b: m.layer_norm(x, (3, 4), w.reshape(3, 1).expand(3, 4),
                                                   b.reshape(3, 1).expand(3, 4))),
    ("group_norm", lambda m, x, w, b: m.group_norm(x, 3, w, b)),
    ("rms_norm", lambda m, x, w, b: m.rms_norm(x, (3, 4), w.reshape(3, 1).expand(3, 4))),
    ("lrn", lambda m, x, w, b: m.local_response_norm(x, 2, 0.4, 0.75, 1.0) * w.reshape(1, 3, 1)),
]


def m_buf(m, v):
    lib = torch if m is TF else ember
    return lib.full((3,), v, dtype=lib.float64)


@pytest.mark.parametrize("name,fn", DOUBLE, ids=[c[0] for c in DOUBLE])
def test_double_backward_matches_torch(name, fn):
    """grad of (grad_x . v) with respect to x, w, b and the upstream gradient, vs torch."""
    xs = rng.standard_normal((2, 3, 4))
    ws, bs = rng.standard_normal(3), rng.standard_normal(3)
    gs = rng.standard_normal((2, 3, 4))
    vs = rng.standard_normal((2, 3, 4))
    res = []
    for lib, m in ((torch, TF), (ember, F)):
        x = lib.tensor(xs, requires_grad=True)
        w = lib.tensor(ws, requires_grad=True)
        b = lib.tensor(bs, requires_grad=True)
        g = lib.tensor(gs, requires_grad=True)
        out = fn(m, x, w, b)
        gx, gw = lib.autograd.grad(out, (x, w), g, create_graph=True)
        loss = (gx * lib.tensor(vs)).sum() + (gw * gw).sum()
        res.append(lib.autograd.grad(loss, (x, w, g), allow_unused=True))
    for e, t in zip(res[1], res[0]):
        _cmp(e, t)


# ------------------------------------------------------------------ errors
ERRORS = [
    ("bn_dim", lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(2, 3, 4))),
    ("bn1d_dim", lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(2, 3, 4, 5))),
    ("bn_one_value", lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(1, 3))),
    ("bn_channels", lambda lib: lib.nn.functional.batch_norm(
        lib.zeros(3, 4), lib.zeros(3), lib.ones(3))),
    ("bn_eval_no_stats", lambda lib: lib.nn.functional.batch_norm(lib.zeros(3, 4), None, None)),
    ("bn_eps", lambda lib: lib.nn.functional.batch_norm(lib.zeros(3, 4), None, None,
                                                        training=True, eps=0.0)),
    ("ln_shape", lambda lib: lib.nn.functional.layer_norm(lib.zeros(3, 4), (5,))),
    ("ln_weight", lambda lib: lib.nn.functional.layer_norm(lib.zeros(3, 4), (4,),
                                                           lib.zeros(3))),
    ("gn_groups", lambda lib: lib.nn.functional.group_norm(lib.zeros(3, 4, 5), 3)),
    ("gn_ctor", lambda lib: lib.nn.GroupNorm(3, 4)),
    ("gn_1d", lambda lib: lib.nn.functional.group_norm(lib.zeros(3), 1)),
    ("in_spatial", lambda lib: lib.nn.functional.instance_norm(lib.zeros(2, 3, 1))),
    ("in_no_stats", lambda lib: lib.nn.functional.instance_norm(lib.zeros(2, 3, 4),
                                                                use_input_stats=False)),
    ("in_dim", lambda lib: lib.nn.InstanceNorm2d(3)(lib.zeros(2, 3))),
    ("in_affine_features", lambda lib: lib.nn.InstanceNorm1d(4, affine=True)(
        lib.zeros(2, 3, 5))),
    ("lrn_dim", lambda lib: lib.nn.functional.local_response_norm(lib.zeros(2, 3), 2)),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_match_torch(name, fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(type(te.value)):
        fn(ember)


def test_load_state_dict_roundtrip_and_reset():
    t = torch.nn.BatchNorm2d(3)
    t.train()
    t(torch.randn(4, 3, 2, 2))
    e = ember.nn.BatchNorm2d(3)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    np.testing.assert_allclose(e.running_mean.numpy(), t.running_mean.numpy())
    assert int(e.num_batches_tracked.item()) == 1
    e.reset_parameters()
    assert float(e.running_var.sum().item()) == 3.0
    assert int(e.num_batches_tracked.item()) == 0
