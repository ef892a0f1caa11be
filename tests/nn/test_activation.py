"""Activations and the softmax family: F.* against torch.nn.functional (values, gradients,
float64 gradcheck), every layer through layercheck, reprs, double backward, in-place forms,
errors, and the fused softmax kernels against their composite twins."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from tests.nn.layercheck import check_layer
from tests.ops.opinfo import OpInfo, Sample, cases, run_generic


def _away(rng, shape, kinks=(0.0,), scale=2.0):
    """Normal samples kept at least 1e-3 away from the given kinks."""
    x = np.asarray(rng.standard_normal(shape) * scale)
    for k in kinks:
        close = np.abs(x - k) < 1e-3
        x[close] += 0.01
    return x


def _samples(kinks=(0.0,), scale=2.0):
    def gen(rng):
        return [Sample((_away(rng, (3, 5), kinks, scale),)),
                Sample((_away(rng, (2, 3, 4), kinks, scale),)),
                Sample((_away(rng, (), kinks, scale),)),
                Sample((_away(rng, (0, 3), kinks, scale),)),
                Sample((_away(rng, (4, 3), kinks, scale),), noncontig=True)]
    return gen


def _op(name, kwargs=None, kinks=(0.0,), scale=2.0, **kw):
    kwargs = kwargs or {}
    label = name + "".join(f"-{k}={v}" for k, v in kwargs.items())
    return OpInfo(label, lambda x: getattr(F, name)(x, **kwargs),
                  lambda x: getattr(TF, name)(x, **kwargs), _samples(kinks, scale), **kw)


OPS = [
    _op("relu"), _op("relu6", kinks=(0.0, 6.0), scale=4.0),
    _op("threshold", dict(threshold=0.5, value=-2.0), kinks=(0.5,)),
    _op("hardtanh", kinks=(-1.0, 1.0)),
    _op("hardtanh", dict(min_val=-0.5, max_val=2.0), kinks=(-0.5, 2.0)),
    _op("leaky_relu"), _op("leaky_relu", dict(negative_slope=0.2)),
    _op("elu"), _op("elu", dict(alpha=0.5)), _op("selu"), _op("celu", dict(alpha=1.5)),
    _op("gelu"), _op("gelu", dict(approximate="tanh")), _op("silu"), _op("mish"),
    _op("softplus"), _op("softplus", dict(beta=2.0, threshold=3.0), kinks=(1.5,)),
    _op("softsign"), _op("tanhshrink"), _op("logsigmoid"),
    _op("softshrink", kinks=(-0.5, 0.5)), _op("softshrink", dict(lambd=1.0), kinks=(-1., 1.)),
    _op("hardshrink", kinks=(-0.5, 0.5)), _op("hardshrink", dict(lambd=1.0), kinks=(-1., 1.)),
    _op("hardswish", kinks=(-3.0, 3.0), scale=4.0),
    _op("hardsigmoid", kinks=(-3.0, 3.0), scale=4.0),
    _op("sigmoid"), _op("tanh"),
    OpInfo("glu", F.glu, TF.glu,
           lambda rng: [Sample((rng.standard_normal((3, 4)),)),
                        Sample((rng.standard_normal((2, 6, 3)),), {"dim": 1}),
                        Sample((rng.standard_normal((4, 2)),), noncontig=True)]),
    OpInfo("glu_dim", lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0),
           lambda rng: [Sample((rng.standard_normal((4, 3)),))]),
    OpInfo("prelu", F.prelu, TF.prelu,
           lambda rng: [Sample((_away(rng, (2, 3, 4)), rng.uniform(0, 1, (3,)))),
                        Sample((_away(rng, (2, 3)), rng.uniform(0, 1, (1,)))),
                        Sample((_away(rng, (5,)), rng.uniform(0, 1, (1,)))),
                        Sample((_away(rng, (2, 3, 2, 2)), rng.uniform(0, 1, (3,))))]),
]

_DIMS = [((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((2, 3, 4), 1), ((), 0), ((4,), 0),
         ((0, 3), 1), ((3, 0), 1)]


def _softmax_samples(rng):
    out = [Sample((np.asarray(rng.standard_normal(s) * 3),), {"dim": d}) for s, d in _DIMS]
    out.append(Sample((rng.standard_normal((4, 3)),), {"dim": 0}, noncontig=True))
    return out


for name in ("softmax", "log_softmax", "softmin"):
    OPS.append(OpInfo(name, getattr(F, name), getattr(TF, name), _softmax_samples))
OPS.append(OpInfo("Tensor.softmax", lambda x, dim: x.softmax(dim),
                  lambda x, dim: x.softmax(dim), _softmax_samples))
OPS.append(OpInfo("Tensor.log_softmax", lambda x, dim: x.log_softmax(dim),
                  lambda x, dim: x.log_softmax(dim), _softmax_samples))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_functional(op, sample, dtype):
    run_generic(op, sample, dtype)


def test_softmax_large_values_and_dtype_arg():
    x = np.array([[1000.0, 0.0, -1000.0], [-5.0, 5.0, 1e4]])
    for name in ("softmax", "log_softmax"):
        e = getattr(F, name)(ember.tensor(x), 1)
        t = getattr(TF, name)(torch.tensor(x), 1)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)
        e = getattr(F, name)(ember.tensor(x, dtype=ember.float32), 1, dtype=ember.float64)
        t = getattr(TF, name)(torch.tensor(x, dtype=torch.float32), 1, dtype=torch.float64)
        assert e.dtype is ember.float64
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)
    h = F.softmax(ember.tensor([1.0, 2.0, 3.0], dtype=ember.float16), 0)
    assert h.dtype is ember.float16
    np.testing.assert_allclose(h.numpy(), TF.softmax(torch.tensor([1.0, 2, 3]).half(), 0),
                               rtol=1e-3)


def test_softmax_implicit_dim_warns_like_torch():
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        x = np.random.default_rng(0).standard_normal(shape)
        for name in ("softmax", "log_softmax", "softmin"):
            with pytest.warns(UserWarning, match="Implicit dimension choice"):
                e = getattr(F, name)(ember.tensor(x))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = getattr(TF, name)(torch.tensor(x))
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)


def _composite_softmax(x, dim):
    e = (x - x.amax(dim, keepdim=True).detach()).exp()
    return e / e.sum(dim, keepdim=True)


def test_fused_softmax_matches_composite_twin():
    rng = np.random.default_rng(3)
    for shape, dim in [((4, 7), 1), ((3, 4, 5), 0), ((2, 3, 4), 2)]:
        a = rng.standard_normal(shape)
        w = rng.standard_normal(shape)
        outs = []
        for fn in (lambda x: F.softmax(x, dim), lambda x: _composite_softmax(x, dim),
                   lambda x: F.log_softmax(x, dim),
                   lambda x: x - ember.logsumexp(x, dim, keepdim=True)):
            x = ember.tensor(a, requires_grad=True)
            y = fn(x)
            (y * ember.tensor(w)).sum().backward()
            outs.append((y.detach().numpy(), x.grad.numpy()))
        for (y1, g1), (y2, g2) in (outs[:2], outs[2:]):
            np.testing.assert_allclose(y1, y2, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-12)


def test_fused_ops_are_one_node():
    x = ember.randn(3, 4, requires_grad=True)
    for fn in (F.gelu, F.silu, F.mish, F.elu, F.softplus, F.selu, F.logsigmoid,
               lambda t: F.softmax(t, 1), lambda t: F.log_softmax(t, 1),
               lambda t: F.gelu(t, approximate="tanh")):
        y = fn(x)
        assert all(e[0] is x or getattr(e[0], "variable", None) is x
                   for e in y.grad_fn.next_functions), fn


DOUBLE = [
    ("softmax", dict(dim=1)), ("log_softmax", dict(dim=1)), ("softmax", dict(dim=0)),
    ("gelu", {}), ("gelu", dict(approximate="tanh")), ("silu", {}), ("elu", {}),
    ("elu", dict(alpha=0.7)), ("selu", {}), ("celu", dict(alpha=2.0)), ("softplus", {}),
    ("softplus", dict(beta=2.0, threshold=1.0)), ("mish", {}), ("logsigmoid", {}),
    ("glu", {}), ("softsign", {}), ("tanhshrink", {}),
]


@pytest.mark.parametrize("name,kw", DOUBLE)
def test_double_backward(name, kw):
    rng = np.random.default_rng(7)
    a = _away(rng, (3, 4))
    w = rng.standard_normal((3, 4) if name != "glu" else (3, 2))
    v = rng.standard_normal((3, 4))
    res = []
    for lib, fn in ((ember, getattr(F, name)), (torch, getattr(TF, name))):
        x = lib.tensor(a, requires_grad=True)
        y = fn(x, **kw)
        g, = lib.autograd.grad((y * lib.tensor(w)).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * lib.tensor(v)).sum(), x)
        res.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-7, atol=1e-10)


INPLACE = [("relu", {}), ("relu6", {}), ("elu", {}), ("selu", {}), ("celu", {}),
           ("leaky_relu", {}), ("hardtanh", {}), ("threshold", dict(threshold=0.1, value=2.)),
           ("hardsigmoid", {}), ("hardswish", {}), ("silu", {}), ("mish", {})]


@pytest.mark.parametrize("name,kw", INPLACE)
def test_inplace_flag(name, kw):
    rng = np.random.default_rng(1)
    a = _away(rng, (3, 4), kinks=(0.0, 0.1, 1.0, -1.0, 3.0, -3.0))
    res = []
    for lib, fn in ((ember, getattr(F, name)), (torch, getattr(TF, name))):
        leaf = lib.tensor(a, requires_grad=True)
        h = leaf * 1.5
        out = fn(h, inplace=True, **kw)
        assert out is h
        (out * out).sum().backward()
        res.append((out.detach().numpy(), leaf.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-7)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-7)


@pytest.mark.parametrize("name", ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_",
                                  "celu_", "rrelu_"])
def test_underscore_variants(name):
    a = np.random.default_rng(2).standard_normal((3, 4))
    e = ember.tensor(a)
    t = torch.tensor(a)
    re = getattr(F, name)(e)
    rt = getattr(TF, name)(t)
    assert re is e
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)
    np.testing.assert_allclose(re.numpy(), rt.numpy(), rtol=1e-7)
    ember.threshold_(e, 0.0, 5.0) if hasattr(ember, "threshold_") else F.threshold_(e, 0., 5.)
    torch.threshold_(t, 0.0, 5.0)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)


def test_inplace_on_leaf_raises_like_torch():
    with pytest.raises(RuntimeError):
        TF.relu(torch.ones(2, requires_grad=True), inplace=True)
    with pytest.raises(RuntimeError):
        F.relu(ember.ones(2, requires_grad=True), inplace=True)


def test_rrelu():
    ember.manual_seed(0)
    x = ember.tensor(-np.ones((200, 50)), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)
    a = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(F.rrelu(ember.tensor(a)).numpy(),
                               TF.rrelu(torch.tensor(a)).numpy(), rtol=1e-7)
    pos = ember.tensor(np.abs(a) + 0.1)
    np.testing.assert_allclose(F.rrelu(pos, training=True).numpy(), pos.numpy())


def test_errors_match_torch():
    def both(fn_e, fn_t, exc):
        with pytest.raises(exc):
            fn_t(torch)
        with pytest.raises(exc):
            fn_e(ember)

    def mk(lib, shape):
        return lib.ones(shape, dtype=lib.float64)

    both(lambda L: F.glu(mk(L, (3, 3))), lambda L: TF.glu(mk(L, (3, 3))), RuntimeError)
    both(lambda L: F.glu(mk(L, ())), lambda L: TF.glu(mk(L, ())), RuntimeError)
    both(lambda L: F.glu(mk(L, (2, 4)), 2), lambda L: TF.glu(mk(L, (2, 4)), 2), IndexError)
    both(lambda L: F.hardtanh(mk(L, (2,)), 2.0, 1.0),
         lambda L: TF.hardtanh(mk(L, (2,)), 2.0, 1.0), ValueError)
    both(lambda L: F.softshrink(mk(L, (2,)), -1.0),
         lambda L: TF.softshrink(mk(L, (2,)), -1.0), RuntimeError)
    both(lambda L: F.gelu(mk(L, (2,)), approximate="bad"),
         lambda L: TF.gelu(mk(L, (2,)), approximate="bad"), RuntimeError)
    both(lambda L: F.softmax(mk(L, (2, 3)), 2), lambda L: TF.softmax(mk(L, (2, 3)), 2),
         IndexError)
    both(lambda L: F.log_softmax(mk(L, (2, 3)), -3),
         lambda L: TF.log_softmax(mk(L, (2, 3)), -3), IndexError)
    both(lambda L: F.softmax(L.ones(2, 3, dtype=L.int64), 1),
         lambda L: TF.softmax(L.ones(2, 3, dtype=L.int64), 1), RuntimeError)
    both(lambda L: F.gelu(L.ones(2, 3, dtype=L.int64)),
         lambda L: TF.gelu(L.ones(2, 3, dtype=L.int64)), RuntimeError)
    both(lambda L: F.prelu(mk(L, (2, 3)), mk(L, (4,))),
         lambda L: TF.prelu(mk(L, (2, 3)), mk(L, (4,))), RuntimeError)
    both(lambda L: F.prelu(mk(L, ()), mk(L, (4,))),
         lambda L: TF.prelu(mk(L, ()), mk(L, (4,))), RuntimeError)
    both(lambda L: F.prelu(mk(L, (2, 3)), L.ones(3)),
         lambda L: TF.prelu(mk(L, (2, 3)), L.ones(3)), RuntimeError)
    both(lambda L: L.nn.Softmax2d()(mk(L, (2, 3))),
         lambda L: L.nn.Softmax2d()(mk(L, (2, 3))), ValueError)
    both(lambda L: L.nn.Hardtanh(1.0, 0.5), lambda L: L.nn.Hardtanh(1.0, 0.5), AssertionError)


# ---------------------------------------------------------------- layers
LAYERS = [
    ("ReLU()", {}), ("ReLU(inplace=True)", {}), ("ReLU6()", {}), ("ReLU6(inplace=True)", {}),
    ("LeakyReLU()", {}), ("LeakyReLU(0.2, inplace=True)", {}), ("ELU()", {}),
    ("ELU(alpha=0.5, inplace=True)", {}), ("SELU()", {}), ("SELU(inplace=True)", {}),
    ("CELU()", {}), ("CELU(alpha=2.0)", {}), ("GELU()", {}), ("GELU(approximate='tanh')", {}),
    ("SiLU()", {}), ("SiLU(inplace=True)", {}), ("Mish()", {}), ("Mish(inplace=True)", {}),
    ("Softplus()", {}), ("Softplus(beta=2.0, threshold=1.0)", {}), ("Softsign()", {}),
    ("Softshrink()", {}), ("Softshrink(0.8)", {}), ("Hardshrink()", {}),
    ("Hardshrink(lambd=0.8)", {}), ("Tanhshrink()", {}), ("Hardtanh()", {}),
    ("Hardtanh(-2.0, 0.5, inplace=True)", {}), ("Hardswish()", {}),
    ("Hardswish(inplace=True)", {}), ("Hardsigmoid()", {}), ("Hardsigmoid(inplace=True)", {}),
    ("Sigmoid()", {}), ("LogSigmoid()", {}), ("Tanh()", {}),
    ("Threshold(0.1, 20.0)", {}), ("Threshold(0.1, 20.0, inplace=True)", {}),
    ("GLU()", {}), ("GLU(dim=1)", {}), ("PReLU()", {}), ("PReLU(num_parameters=4)", {}),
    ("PReLU(4, init=0.1)", {}), ("Softmax(dim=1)", {}), ("Softmax(dim=-1)", {}),
    ("LogSoftmax(dim=1)", {}), ("LogSoftmax(0)", {}), ("Softmin(dim=1)", {}),
    ("Softmax2d()", {}), ("RReLU()", dict(train=False)), ("RReLU(0.1, 0.3)", dict(train=False)),
]


def _make(spec):
    return lambda nn: eval("nn." + spec, {"nn": nn})


@pytest.mark.parametrize("spec,opts", LAYERS)
@pytest.mark.parametrize("train", [True, False])
def test_layer(spec, opts, train):
    rng = np.random.default_rng(5)
    x = _away(rng, (2, 4, 3, 2), kinks=(0.0, 0.1, 0.5, -0.5, 0.8, -0.8, 1.0, -1.0, -2.0, 3.0,
                                        -3.0, 6.0))
    if "inplace=True" in spec:
        # in-place on a non-leaf: an identity-like layer in front
        def make(nn, _spec=spec):
            return nn.Sequential(nn.Linear(2, 2), _make(_spec)(nn))
        for dtype in ("float32", "float64"):
            check_layer(make, [x], dtype=dtype, train=opts.get("train", train))
        return
    for dtype in ("float32", "float64"):
        check_layer(_make(spec), [x], dtype=dtype, train=opts.get("train", train))


def test_unbatched_and_softmax2d_3d():
    rng = np.random.default_rng(2)
    check_layer(lambda nn: nn.Softmax2d(), [rng.standard_normal((3, 2, 2))])
    check_layer(lambda nn: nn.PReLU(3), [_away(rng, (3,))]) if False else None
    check_layer(lambda nn: nn.PReLU(), [_away(rng, (5,))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_layer(lambda nn: nn.Softmax(), [rng.standard_normal((3, 4))])
        check_layer(lambda nn: nn.LogSoftmax(), [rng.standard_normal((2, 3, 4))])


@pytest.mark.parametrize("spec,opts", LAYERS + [("Hardtanh(min_value=-2.0)", {})])
def test_repr_matches_torch(spec, opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(_make(spec)(ember.nn)) == repr(_make(spec)(torch.nn))


def test_prelu_state_dict_and_init():
    e, t = ember.nn.PReLU(5, init=0.3), torch.nn.PReLU(5, init=0.3)
    assert list(e.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy())
    e.weight.data.fill_(1.0) if hasattr(e.weight.data, "fill_") else None
    e.reset_parameters()
    np.testing.assert_allclose(e.weight.detach().numpy(), np.full(5, 0.3, np.float32))


def test_hardtanh_deprecated_kwargs_warn():
    with pytest.warns(FutureWarning):
        m = ember.nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0
