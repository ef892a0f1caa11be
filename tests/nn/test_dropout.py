"""Dropout family: statistics of the masks (fraction zeroed, scale 1/(1-p)), determinism under
manual_seed, gradient = mask * scale, identity in eval, channel-wise mask shapes and torch's
warnings/errors, alpha dropout's moments, reprs."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from tests.nn.layercheck import check_layer


@pytest.mark.parametrize("p", [0.5, 0.25, 0.1, 0.3, 0.9, 1 / 256])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_dropout_statistics_scale_and_grad(p, dtype):
    ember.manual_seed(0)
    n = 200_000
    x = ember.ones(n, dtype=dtype, requires_grad=True)
    y = F.dropout(x, p)
    assert y.dtype is dtype
    out = y.detach().numpy()
    zero = out == 0
    # binomial standard deviation: sqrt(p (1 - p) / n) <= 0.0012
    assert abs(zero.mean() - p) < 5 * np.sqrt(p * (1 - p) / n) + 1e-9
    np.testing.assert_allclose(out[~zero], 1 / (1 - p), rtol=1e-6)
    w = np.random.default_rng(0).standard_normal(n)
    (y * ember.tensor(w, dtype=dtype)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), w * out, rtol=1e-6)


def test_dropout_deterministic_under_manual_seed():
    x = ember.randn(64, 33)
    ember.manual_seed(123)
    a = F.dropout(x, 0.3).numpy()
    b = F.dropout(x, 0.5).numpy()
    ember.manual_seed(123)
    np.testing.assert_array_equal(F.dropout(x, 0.3).numpy(), a)
    np.testing.assert_array_equal(F.dropout(x, 0.5).numpy(), b)
    assert not np.array_equal(a != 0, b != 0)
    g = ember.Generator()
    assert g is not None


@pytest.mark.parametrize("fn", ["dropout", "alpha_dropout", "feature_alpha_dropout",
                                "dropout1d", "dropout2d", "dropout3d"])
def test_identity_in_eval_and_p0(fn):
    shape = {"dropout1d": (2, 3, 4), "dropout3d": (2, 3, 2, 2, 2)}.get(fn, (2, 3, 4, 4))
    x = ember.randn(*shape)
    tx = torch.randn(*shape)
    assert getattr(F, fn)(x, 0.5, training=False) is x
    assert getattr(TF, fn)(tx, 0.5, training=False) is tx
    assert getattr(F, fn)(x, 0.0, training=True) is x
    z = getattr(F, fn)(x, 1.0, training=True)
    tz = getattr(TF, fn)(tx, 1.0, training=True)
    np.testing.assert_array_equal(z.numpy(), np.zeros(shape, np.float32))
    assert np.all(tz.numpy() == 0)


@pytest.mark.parametrize("fn", ["dropout", "alpha_dropout", "feature_alpha_dropout",
                                "dropout1d", "dropout2d", "dropout3d"])
def test_bad_p_raises_like_torch(fn):
    shape = {"dropout1d": (2, 3, 4), "dropout3d": (2, 3, 2, 2, 2)}.get(fn, (2, 3, 4, 4))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError):
            getattr(TF, fn)(torch.ones(shape), p)
        with pytest.raises(ValueError):
            getattr(F, fn)(ember.ones(shape), p)
    for cls in ("Dropout", "Dropout2d", "AlphaDropout"):
        with pytest.raises(ValueError):
            getattr(torch.nn, cls)(1.5)
        with pytest.raises(ValueError):
            getattr(ember.nn, cls)(1.5)


def _channel_masks(out, shape):
    """(N, C) channel keep-pattern, checking every channel is all-kept or all-zero."""
    n, c = shape[:2]
    flat = out.reshape(n, c, -1)
    kept = flat != 0
    assert np.all(kept.all(-1) | (~kept).all(-1))
    return kept.all(-1)


@pytest.mark.parametrize("fn,shape,batched", [
    ("dropout1d", (40, 50, 7), True), ("dropout1d", (50, 7), False),
    ("dropout2d", (40, 50, 3, 3), True), ("dropout3d", (20, 50, 2, 2, 2), True),
    ("dropout3d", (50, 2, 2, 3), False)])
def test_channelwise_masks(fn, shape, batched):
    ember.manual_seed(1)
    x = ember.ones(*shape, requires_grad=True)
    y = getattr(F, fn)(x, 0.4)
    assert tuple(y.shape) == shape
    out = y.detach().numpy()
    # torch's results follow the same channel-wise pattern
    t = getattr(TF, fn)(torch.ones(shape), 0.4).numpy()
    if batched:
        keep = _channel_masks(out, shape)
        _channel_masks(t, shape)
    else:
        keep = _channel_masks(out[None], (1,) + shape)
        _channel_masks(t[None], (1,) + shape)
    assert abs(1 - keep.mean() - 0.4) < 0.06
    np.testing.assert_allclose(out[out != 0], 1 / 0.6, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out, rtol=1e-6)


def test_dropout2d_warnings_like_torch():
    for shape in [(2, 3, 4), (2, 3), (2, 3, 4, 5, 6)]:
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            t = TF.dropout2d(torch.ones(shape), 0.5)
        with warnings.catch_warnings(record=True) as ew:
            warnings.simplefilter("always")
            e = F.dropout2d(ember.ones(shape), 0.5)
        assert [str(w.message) for w in ew] == [str(w.message) for w in tw]
        assert [w.category for w in ew] == [w.category for w in tw]
        assert tuple(e.shape) == tuple(t.shape)
        # 3-D input: channel-wise over dim 1 (N, C, L)
        _channel_masks(e.numpy(), shape) if len(shape) >= 2 else None
    for shape in [(2, 3, 4), (2, 3, 4, 5, 6, 7)]:
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            TF.dropout3d(torch.ones(shape), 0.5)
        with warnings.catch_warnings(record=True) as ew:
            warnings.simplefilter("always")
            F.dropout3d(ember.ones(shape), 0.5)
        assert [str(w.message) for w in ew] == [str(w.message) for w in tw]


def test_dropout1d_bad_dims_raise_like_torch():
    for shape in [(3,), (2, 3, 4, 5)]:
        with pytest.raises(RuntimeError):
            TF.dropout1d(torch.ones(shape), 0.5)
        with pytest.raises(RuntimeError):
            F.dropout1d(ember.ones(shape), 0.5)
    with pytest.raises(RuntimeError):
        torch.feature_alpha_dropout(torch.ones(3), 0.5, True)
    with pytest.raises(RuntimeError):
        F.feature_alpha_dropout(ember.ones(3), 0.5, True)


def test_inplace_dropout():
    ember.manual_seed(3)
    leaf = ember.ones(100, 10, requires_grad=True)
    h = leaf * 2
    out = F.dropout(h, 0.5, inplace=True)
    assert out is h
    vals = h.detach().numpy()
    assert set(np.unique(vals)) <= {0.0, 4.0}
    h.sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), vals, rtol=1e-6)
    z = ember.ones(4, 3)
    with pytest.warns(UserWarning, match="2-D input"):
        F.dropout2d(z, 0.5, inplace=True)
    _channel_masks(z.numpy(), (4, 3))
    with pytest.raises(RuntimeError):
        F.dropout(ember.ones(3, requires_grad=True), 0.5, inplace=True)


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_moments_and_grad(feature):
    ember.manual_seed(0)
    shape = (400, 500) if not feature else (2000, 100, 1)
    x = ember.randn(*shape, requires_grad=True)
    fn = F.feature_alpha_dropout if feature else F.alpha_dropout
    y = fn(x, 0.2, training=True)
    out = y.detach().numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    # dropped entries take SELU's saturation value, mapped affinely
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha * alpha * 0.2 + 1) * 0.8)
    xn = x.detach().numpy()
    dropped = np.isclose(out, -alpha * a + alpha * a * 0.2, atol=1e-6) & \
        ~np.isclose(xn * a, -alpha * a, atol=1e-4)
    assert abs(dropped.mean() - 0.2) < 0.01
    kept = ~dropped
    np.testing.assert_allclose(out[kept], (xn * a + alpha * a * 0.2)[kept], rtol=1e-5,
                               atol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0), rtol=1e-5, atol=1e-7)
    if feature:
        _channel_masks(np.where(kept, 1.0, 0.0), shape)


@pytest.mark.parametrize("spec", ["Dropout()", "Dropout(p=0.2, inplace=True)",
                                  "Dropout1d(0.3)", "Dropout2d()", "Dropout3d(p=0.1)",
                                  "AlphaDropout(0.2)", "FeatureAlphaDropout(0.4)"])
def test_modules_eval_layercheck_and_repr(spec):
    def make(nn):
        return eval("nn." + spec, {"nn": nn})
    assert repr(make(ember.nn)) == repr(make(torch.nn))
    shape = (2, 3, 4) if "1d" in spec else (2, 3, 2, 2, 2) if "3d" in spec else (2, 3, 4, 4)
    x = np.random.default_rng(0).standard_normal(shape)
    check_layer(make, [x], dtype="float64", train=False)
    check_layer(make, [x], dtype="float32", train=False)
    m = make(ember.nn)
    assert m.training
    ember.manual_seed(0)
    y = m(ember.ones(*shape))
    assert tuple(y.shape) == shape
    assert not np.array_equal(y.numpy(), np.ones(shape))


def test_top_level_dropout_functions():
    from ember.ops.activation import TOP_LEVEL
    x = ember.ones(50, 40)
    ember.manual_seed(0)
    y = TOP_LEVEL["dropout"](x, 0.5, True)
    assert set(np.unique(y.numpy())) == {0.0, 2.0}
    assert TOP_LEVEL["dropout"](x, 0.5, False) is x
    z = TOP_LEVEL["feature_dropout"](ember.ones(30, 20, 3), 0.5, True)
    _channel_masks(z.numpy(), (30, 20, 3))


@pytest.mark.parametrize("name", ["int64", "int32", "bool"])
def test_non_float_input_raises_like_torch(name):
    with pytest.raises(RuntimeError) as te:
        TF.dropout(torch.ones(4, dtype=getattr(torch, name)), 0.5)
    with pytest.raises(RuntimeError) as ee:
        F.dropout(ember.ones(4, dtype=getattr(ember, name)), 0.5)
    assert str(ee.value) == str(te.value)
