"""Indexing ops against torch: getitem/setitem keys, views, in-place on views, the op table,
duplicate indices, double backward and error types."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from .opinfo import OpInfo, Sample, assert_close, cases, run_generic

TOL64 = dict(rtol=1e-7, atol=1e-9)


def _close(e, t, what=""):
    assert_close(e, t, what=what, **TOL64)


class I:  # noqa: E742
    """An index array in a key: becomes ember.tensor / torch.tensor on each side."""

    def __init__(self, *values, dtype=np.int64):
        self.a = np.array(values[0] if len(values) == 1 else values, dtype=dtype)

    def __repr__(self):
        return f"I({self.a.tolist()!r})"


def _key(key, lib):
    if isinstance(key, tuple):
        return tuple(_key(k, lib) for k in key)
    if isinstance(key, I):
        return ember.from_numpy(key.a.copy()) if lib == "ember" else torch.from_numpy(key.a.copy())
    return key


def _pair(shape, seed=0, requires_grad=True):
    a = np.random.default_rng(seed).standard_normal(shape)
    return (ember.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _backward_both(e_out, t_out, seed=1):
    w = np.random.default_rng(seed).standard_normal(tuple(t_out.shape))
    (e_out * ember.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()


B = (3, 4, 5)
GETITEM = [
    (B, 0), (B, -1), (B, (1, 2)), (B, (0, -1, 2)), (B, slice(1, None)), (B, slice(None, None, 2)),
    (B, (slice(None), 1)), (B, (Ellipsis, 1)), (B, (1, Ellipsis, slice(0, 3))),
    (B, None), (B, (None, 0, None)), (B, (slice(None), None, slice(1, 3))), (B, Ellipsis),
    (B, ()), (B, slice(-100, 100)), (B, slice(2, 1)), (B, (Ellipsis, None)),
    (B, (0, Ellipsis, 0, Ellipsis)), (B, I(1)), (B, (I(2), slice(None), I(-1))),
    # advanced
    (B, I([0, 2])), (B, I([2, 0, 2, 2])), (B, [0, 2, 2]), (B, (slice(None), [1, 1, 3])),
    (B, I([[0, 1], [2, 2]])), (B, ([0, 1], [1, 3])), (B, ([0, 1], [1, 3], [4, 4])),
    (B, ([0, 0], slice(None), [1, 1])), (B, (0, slice(None), [0, 1])),
    (B, (slice(None), [0, 1], 2)), (B, ([0, 1], None, [1, 2])), (B, (Ellipsis, [4, 0, 4])),
    (B, (I([[0], [2]]), I([1, 3, 1]))), (B, (I([[0], [2]]), slice(1, 3), I([1, 3, 1]))),
    (B, I([0, 1], dtype=np.int32)), (B, np.array([1, 1])), (B, (np.array([2, 0]), 1)),
    (B, I([], dtype=np.int64)), (B, (slice(1, 3), I([0, 0]))), (B, (I(-1), [0, 0])),
    # masks and bools
    (B, I([True, False, True], dtype=bool)), (B, (slice(None), I([1, 0, 1, 1], dtype=bool))),
    (B, I(np.arange(12).reshape(3, 4) % 3 == 0, dtype=bool)),
    (B, I(np.arange(60).reshape(3, 4, 5) % 7 == 0, dtype=bool)),
    (B, (I([True, False, True], dtype=bool), [0, 3])), (B, (I([True, True, False], dtype=bool),
                                                          slice(None), I([1, 2]))),
    (B, (0, I([False, True, True, False], dtype=bool))), (B, True), (B, False),
    (B, (True, [0, 2])), (B, (0, False)), (B, I(True, dtype=bool)), (B, [True, False, True]),
    (B, (Ellipsis, I([True, False, False, True, True], dtype=bool))),
    ((), Ellipsis), ((), None), ((), True), ((), I(True, dtype=bool)), ((5,), I([4, 4, 4])),
    ((0, 3), I([], dtype=np.int64)), ((4, 0), (slice(None), slice(1, None))),
]


@pytest.mark.parametrize("shape,key", GETITEM, ids=[str(i) for i in range(len(GETITEM))])
def test_getitem_matches_torch(shape, key):
    x, tx = _pair(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = x[_key(key, "ember")]
        t = tx[_key(key, "torch")]
    _close(e, t, what="getitem")
    if t.numel():
        _backward_both(e, t)
        _close(x.grad, tx.grad, what="getitem grad")


@pytest.mark.parametrize("key", [0, (1, slice(None, None, 2)), (Ellipsis, None, 1), I(1),
                                 slice(1, 3), ()])
def test_basic_getitem_is_a_view(key):
    x = ember.arange(24.0).reshape(2, 3, 4)
    tx = torch.arange(24.0).reshape(2, 3, 4)
    v = x[_key(key, "ember")]
    tv = tx[_key(key, "torch")]
    assert np.shares_memory(v.numpy(), x.numpy())
    before = v._version
    x[1, 2, 3] = 7.0          # a write into the base is seen by the view
    tx[1, 2, 3] = 7.0
    assert v._version == before + 1
    v[...] = -1.0             # and a write into the view by the base
    tv[...] = -1.0
    assert x._version == before + 2
    _close(x, tx, what="base after writes")
    _close(v, tv, what="view after writes")


def test_advanced_getitem_is_a_copy():
    x = ember.arange(6.0)
    y = x[[0, 1]]
    y[0] = 100.0
    assert x[0].item() == 0.0
    assert not np.shares_memory(x[ember.tensor([True] * 6)].numpy(), x.numpy())


def test_duplicate_indices_accumulate():
    for key in ([0, 0, 1, 0], ([1, 1], [2, 2]), (slice(None), [3, 3, 0])):
        x, tx = _pair((4, 5))
        e, t = x[key], tx[key]
        _backward_both(e, t)
        _close(x.grad, tx.grad, what=f"dup grad {key}")
    # embedding-style lookup with many repeats
    w, tw = _pair((50, 8))
    idx = np.random.default_rng(3).integers(0, 50, (16, 32))
    _backward_both(w[ember.tensor(idx)], tw[torch.tensor(idx)])
    _close(w.grad, tw.grad, what="embedding grad")


SETITEM = [
    (B, 0, 2.5), (B, 0, (5,)), (B, (1, 2), (1, 5)), (B, (slice(None), 1), (3, 1)),
    (B, slice(0, 2), (4, 5)), (B, (Ellipsis, 0), ()), (B, None, (1, 1, 4, 5)),
    (B, [0, 2], (2, 4, 5)), (B, ([0, 1], [1, 3]), (5,)), (B, (slice(None), [0, 0]), -1.0),
    (B, ([0, 1], slice(None), [1, 2]), (2, 4)), (B, I([True, False, True], dtype=bool), (5,)),
    (B, I(np.arange(60).reshape(3, 4, 5) % 3 == 0, dtype=bool), ()),
    (B, (0, I([1, 0, 1, 1], dtype=bool)), (3, 5)), (B, (1, slice(1, None, 2), [0, 4]), (2, 2)),
    (B, Ellipsis, (4, 1)), (B, (True, 0), (4, 5)), ((), Ellipsis, ()), ((4,), (), 3.0),
]


@pytest.mark.parametrize("shape,key,value", SETITEM,
                         ids=[f"{i}-{k!r}" for i, (_, k, _) in enumerate(SETITEM)])
def test_setitem_matches_torch(shape, key, value):
    x, tx = _pair(shape)
    if isinstance(value, tuple):
        v, tv = _pair(value, seed=5)
    else:
        v = tv = value
    a, ta = x * 1.0, tx * 1.0
    a[_key(key, "ember")] = v
    ta[_key(key, "torch")] = tv
    _close(a, ta, what="setitem")
    assert a.grad_fn is not None
    _backward_both(a, ta)
    _close(x.grad, tx.grad, what="setitem grad self")
    if isinstance(value, tuple):
        _close(v.grad, tv.grad, what="setitem grad value")


def test_setitem_scalar_types_and_casts():
    for value in (3, 2.5, True, np.float64(1.5), np.int32(2)):
        e, t = ember.zeros(3, dtype=ember.int64), torch.zeros(3, dtype=torch.int64)
        e[1] = value
        t[1] = value
        _close(e, t, what="setitem scalar")
    e, t = ember.zeros(3), torch.zeros(3)
    e[1:] = ember.tensor([1, 2])          # basic keys copy with a cast
    t[1:] = torch.tensor([1, 2])
    _close(e, t, what="setitem cast")


def test_setitem_no_grad_and_version():
    x = ember.zeros(4, requires_grad=True)
    with ember.no_grad():
        x[1] = 2.0
    assert x.is_leaf and x._version == 1 and x[1].item() == 2.0
    y = ember.zeros(2, 3)
    v = y[0]
    y[0, 1] = 4.0
    assert v._version == y._version == 1 and v[1].item() == 4.0


def test_setitem_into_tensor_without_grad_records_value():
    y, ty = _pair((3,), seed=2)
    z, tz = ember.zeros(2, 3), torch.zeros(2, 3)
    z[1] = y * 2.0
    tz[1] = ty * 2.0
    assert z.requires_grad and not z.is_leaf
    _backward_both(z, tz)
    _close(y.grad, ty.grad, what="value grad")


def _run_both(fn):
    """Run ``fn(lib, x, y)`` with ember and torch from the same data; compare x, y grads."""
    rng = np.random.default_rng(7)
    xa, ya = rng.standard_normal((3, 4)), rng.standard_normal(4)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xa, requires_grad=True)
        y = lib.tensor(ya, requires_grad=True)
        out = fn(lib, x, y)
        out.backward(lib.tensor(np.arange(out.numel(), dtype=float).reshape(tuple(out.shape))))
        res.append((out, x.grad, y.grad))
    (eo, ex, ey), (to, tx, ty) = res
    _close(eo, to, what="value")
    _close(ex, tx, what="x grad")
    if ty is None:
        assert ey is None or not ey.numpy().any()
    else:
        _close(ey, ty, what="y grad")


def _a_sq(lib, x, y):
    a = x * 1.0
    a[0] = y
    return a * a


def _view_fill(lib, x, y):
    a = x.clone()
    a[1].masked_fill_(y > 0, 2.0)
    return a * x


def _view_index_fill(lib, x, y):
    a = x * 2.0
    v = a[:, 1:]
    v.index_fill_(1, lib.tensor([0, 2]), 0.5)
    return a * a


def _view_of_view(lib, x, y):
    a = x * 1.0
    a[1:][0][1:] = y[:3]
    return (a * a).sum(0)


def _view_setitem_chain(lib, x, y):
    a = x * 1.0
    v = a[0]
    v[[0, 2]] = y[:2] * y[:2]
    return a * v


def _view_via_reshape(lib, x, y):
    a = x * 1.0
    v = a.reshape(-1)
    v[[1, 5]] = y[2:] * 3.0
    return a * a


def _view_mul_(lib, x, y):
    a = x.clone()
    a[0].mul_(2)
    return a


def _view_add_(lib, x, y):
    a = x * 1
    v = a.view(-1)
    v.add_(y.repeat(3) if lib is torch else ember.cat([y, y, y]))
    return a * a


def _base_without_grad(lib, x, y):
    z = lib.zeros(3, 4, dtype=x.dtype)
    z[0][1:] = y[:3] * 2.0          # a view of a tensor that does not require grad
    z[2].index_fill_(0, lib.tensor([1]), 5.0)
    z[1:, :2] = x[:2, 2:]
    return z * z


def _augmented(lib, x, y):
    a = x * 1.0
    a[[0, 2]] += 1.0                # getitem copy, add, setitem
    a[0] *= 2                       # in place on a view, then setitem of itself
    a[:, 1:] -= x[:, :3]
    a[a > 2] = 0.5
    return a * a


REBASE = [_base_without_grad, _augmented, _a_sq, _view_fill, _view_index_fill, _view_of_view,
          _view_setitem_chain, _view_via_reshape, _view_mul_, _view_add_]


@pytest.mark.parametrize("fn", REBASE, ids=[f.__name__ for f in REBASE])
def test_inplace_on_views_rebases_history(fn):
    _run_both(fn)


def test_rebase_view_sets_view_history():
    x = ember.randn(3, 4, requires_grad=True) if hasattr(ember, "randn") else \
        ember.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    a = x * 1.0
    v = a[1]
    v[0] = 5.0
    assert a.grad_fn.name() == "CopySlices"
    assert v.grad_fn is not None and v.requires_grad
    v.sum().backward()
    expected = np.zeros((3, 4))
    expected[1, 1:] = 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_inplace_errors_on_leaves():
    x = ember.zeros(3, requires_grad=True)
    tx = torch.zeros(3, requires_grad=True)
    for key in (0, [0, 1], slice(1, None)):
        with pytest.raises(RuntimeError):
            tx[key] = 1.0
        with pytest.raises(RuntimeError):
            x[key] = 1.0
    with pytest.raises(RuntimeError):
        tx.masked_fill_(torch.tensor([True, False, True]), 1.0)
    with pytest.raises(RuntimeError):
        x.masked_fill_(ember.tensor([True, False, True]), 1.0)


# ---------------------------------------------------------------- op table
def _ix(*a):
    return np.array(a[0] if len(a) == 1 else a, dtype=np.int64)


def _gather(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), 1, _ix([[0, 3, 3], [1, 1, 0], [2, 0, 0]]))),
            Sample((r((3, 4)), 0, _ix([[0, 2, 2, 0]]))),
            Sample((r((3, 4, 2)), -1, rng.integers(0, 2, (2, 3, 3)))),
            Sample((r(()), 0, _ix([0, 0]))),
            Sample((r((3, 4)), 1, np.zeros((0, 2), np.int64))),
            Sample((r((4, 3)), 0, _ix([[3, 0, 1], [2, 2, 2]])), noncontig=True)]


def _scatter_src(rng):
    r = rng.standard_normal
    perm = np.stack([rng.permutation(4)[:3] for _ in range(2)])
    return [Sample((r((2, 4)), 1, perm, r((2, 3)))),
            # torch has no gradient for a src larger than index: compare self's only
            Sample((r((3, 4)), 0, _ix([[2, 0, 1, 0]]), r((2, 5))), grad=(0,)),
            Sample((r((5,)), 0, _ix([4, 0]), r((2,)))),
            Sample((r((3, 4)), 1, perm[:1], r((1, 3))), noncontig=True)]


def _scatter_dup(rng):
    r = rng.standard_normal
    return [Sample((r((2, 4)), 1, _ix([[0, 0, 3], [1, 1, 1]]), r((2, 3)))),
            Sample((r((3, 4)), 0, rng.integers(0, 3, (5, 4)), r((5, 4)))),
            Sample((r((5,)), 0, _ix([4, 4, 0]), r((4,))), grad=(0,)),
            Sample((r(()), 0, _ix([0, 0]), r((2,))))]


def _index_dim(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), 1, _ix([0, 3, 3]))), Sample((r((3, 4)), 0, _ix([2]))),
            Sample((r((3, 4, 2)), -1, _ix([1, 0, 1, 1]))), Sample((r(()), 0, _ix([0]))),
            Sample((r((3, 4)), 0, np.zeros(0, np.int64))),
            Sample((r((4, 3)), 1, _ix([2, 0])), noncontig=True)]


def _index_add(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), 1, _ix([0, 3, 3]), r((3, 3)))),
            Sample((r((5, 2)), 0, _ix([4, 0, 4, 4]), r((4, 2)))),
            Sample((r((3, 4)), 1, _ix([2]), r((3, 1))), noncontig=True)]


def _index_copy(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), 1, _ix([0, 3]), r((3, 2)))),
            Sample((r((5, 2)), 0, _ix([4, 1, 2]), r((3, 2)))),
            Sample((r((3, 4)), 0, _ix([2]), r((1, 4))), noncontig=True)]


def _mask(rng, shape, p=0.5):
    return np.asarray(rng.uniform(size=shape) < p)


def _masked(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _mask(rng, (3, 4)))), Sample((r((3, 4)), _mask(rng, (4,)))),
            Sample((r((4,)), _mask(rng, (2, 3, 4)))), Sample((r(()), _mask(rng, ()))),
            Sample((r((0, 3)), _mask(rng, (3,)))),
            Sample((r((3, 4)), _mask(rng, (3, 4))), noncontig=True)]


def _masked_scatter(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _mask(rng, (3, 4)), r((3, 5)))),
            Sample((r((3, 4)), _mask(rng, (4,)), r((12,)))),
            Sample((r((4,)), _mask(rng, (2, 4)), r((9,)))),
            Sample((r((3, 4)), _mask(rng, (3, 4)), r((4, 3))), noncontig=True)]


def _take(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _ix([0, 11, -1, 5, 5]))), Sample((r((3, 4)), _ix([[1, 2], [2, 1]]))),
            Sample((r(()), _ix([0, 0]))), Sample((r((4, 3)), _ix([3, 3])), noncontig=True)]


def _take_along(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _ix([[0, -1], [2, 2], [1, 0]]), 1)),
            Sample((r((3, 4)), _ix([[0, 2, 2, 1]]), 0)),
            Sample((r((3, 1)), rng.integers(0, 3, (2, 4)), 0)),
            Sample((r((3, 4)), _ix([0, 11, 11]))),
            Sample((r((4, 3)), _ix([[1], [0], [2], [2]]), 1), noncontig=True)]


def _put(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _ix([0, 11, -2]), r((3,)))),
            Sample((r((3, 4)), _ix([[1, 5]]), r((1, 2))))]


def _put_acc(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _ix([0, 11, 0, 0]), r((4,)))),
            Sample((r((3, 4)), _ix([[1, 5], [5, 1]]), r((2, 2))))]


def _index_put(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), (_ix([0, 2]), _ix([1, 3])), r((2,)))),
            Sample((r((3, 4)), (_ix([1, 2]),), r((1, 4)))),
            Sample((r((3, 4)), (_mask(rng, (3, 4)),), r(()))),
            Sample((r((3, 4)), (_ix([2, 0]),), r((2, 4))))]


def _index_put_dup(rng):
    r = rng.standard_normal
    return _index_put(rng) + [Sample((r((3, 4)), (_ix([2, 2, 0]),), r((3, 4)))),
                              Sample((r((3, 4)), (_ix([2, 2, 0]), _ix([1, 1, 1])), r(())))]


def _index_put_ops(accumulate):
    def conv(lib, idx):
        if lib == "ember":
            return tuple(ember.from_numpy(i.copy()) for i in idx)
        return tuple(torch.from_numpy(i.copy()) for i in idx)

    def e(x, idx, v):
        return ember.index_put(x, conv("ember", idx), v, accumulate=accumulate)

    def t(x, idx, v):
        return torch.index_put(x, conv("torch", idx), v, accumulate=accumulate)
    return e, t


def _scatter_reduce_samples(rng):
    r = rng.standard_normal
    return [Sample((r((2, 4)), 1, _ix([[0, 0, 3], [1, 1, 1]]), r((2, 3)))),
            Sample((r((3, 4)), 0, rng.integers(0, 3, (5, 4)), r((5, 4))))]


def _sr(reduce, include_self):
    return (lambda a, d, i, s: ember.scatter_reduce(a, d, i, s, reduce,
                                                    include_self=include_self),
            lambda a, d, i, s: torch.scatter_reduce(a, d, i, s, reduce,
                                                    include_self=include_self))


def _fill(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), 1, _ix([0, 3, 3]), r(()))), Sample((r((3, 4)), 0, _ix([2]), r(()))),
            Sample((r((3, 4)), 1, _ix([]), r(())))]


OPS = [
    OpInfo("gather", ember.gather, torch.gather, _gather),
    OpInfo("scatter", ember.scatter, torch.scatter, _scatter_src),
    OpInfo("scatter_value", lambda a, d, i: ember.scatter(a, d, i, 1.5),
           lambda a, d, i: torch.scatter(a, d, i, 1.5),
           lambda rng: [Sample(s.args[:3]) for s in _scatter_src(rng)]),
    OpInfo("scatter_add", ember.scatter_add, torch.scatter_add, _scatter_dup),
    OpInfo("scatter_reduce_sum", *_sr("sum", True), _scatter_dup),
    OpInfo("scatter_reduce_sum_noself", *_sr("sum", False), _scatter_reduce_samples),
    OpInfo("scatter_reduce_mean", *_sr("mean", True), _scatter_reduce_samples),
    OpInfo("scatter_reduce_mean_noself", *_sr("mean", False), _scatter_reduce_samples),
    OpInfo("scatter_reduce_amax", *_sr("amax", True), _scatter_reduce_samples),
    OpInfo("scatter_reduce_amin_noself", *_sr("amin", False), _scatter_reduce_samples),
    OpInfo("scatter_reduce_prod", *_sr("prod", True), _scatter_reduce_samples, grad=False),
    OpInfo("index_select", ember.index_select, torch.index_select, _index_dim),
    OpInfo("index_add", ember.index_add, torch.index_add, _index_add),
    OpInfo("index_add_alpha", lambda a, d, i, s: ember.index_add(a, d, i, s, alpha=-2.5),
           lambda a, d, i, s: torch.index_add(a, d, i, s, alpha=-2.5), _index_add),
    OpInfo("index_copy", ember.index_copy, torch.index_copy, _index_copy),
    OpInfo("index_fill", lambda a, d, i: ember.index_fill(a, d, i, -2.0),
           lambda a, d, i: torch.index_fill(a, d, i, -2.0), _index_dim),
    OpInfo("index_fill_tensor", ember.index_fill, torch.index_fill, _fill),
    OpInfo("masked_fill", lambda a, m: ember.masked_fill(a, m, 0.5),
           lambda a, m: torch.masked_fill(a, m, 0.5), _masked),
    OpInfo("masked_fill_tensor", lambda a, m, v: ember.masked_fill(a, m, v),
           lambda a, m, v: torch.masked_fill(a, m, v),
           lambda rng: [Sample((s.args[0], s.args[1], rng.standard_normal(())))
                        for s in _masked(rng)]),
    OpInfo("masked_select", ember.masked_select, torch.masked_select, _masked),
    OpInfo("masked_scatter", ember.masked_scatter, torch.masked_scatter, _masked_scatter),
    OpInfo("take", ember.take, torch.take, _take),
    OpInfo("take_along_dim", ember.take_along_dim, torch.take_along_dim, _take_along),
    OpInfo("put", ember.put, torch.put, _put),
    OpInfo("put_accumulate", lambda a, i, s: ember.put(a, i, s, accumulate=True),
           lambda a, i, s: torch.put(a, i, s, accumulate=True), _put_acc),
    OpInfo("index_put", *_index_put_ops(False), _index_put),
    OpInfo("index_put_accumulate", *_index_put_ops(True), _index_put_dup),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_op(op, sample, dtype):
    run_generic(op, sample, dtype)


INPLACE = [
    ("scatter_", lambda x: (1, _ix([[0, 2], [3, 1]]), None), lambda lib: lib.ones(2, 2)),
    ("scatter_add_", lambda x: (1, _ix([[0, 0], [3, 3]]), None), lambda lib: lib.ones(2, 2)),
    ("index_add_", lambda x: (0, _ix([1, 1]), None), lambda lib: lib.ones(2, 4)),
    ("index_copy_", lambda x: (1, _ix([2, 0]), None), lambda lib: lib.ones(2, 2)),
    ("index_fill_", lambda x: (1, _ix([2, 0]), 3.0), None),
    ("masked_fill_", lambda x: (np.array([True, False, True, False]), 3.0), None),
    ("masked_scatter_", lambda x: (np.array([True, False, True, False]), None),
     lambda lib: lib.ones(4, 4)),
    ("put_", lambda x: (_ix([0, 7]), None), lambda lib: lib.ones(2)),
]


@pytest.mark.parametrize("name,args,src", INPLACE, ids=[n for n, _, _ in INPLACE])
def test_inplace_variants(name, args, src):
    x, tx = _pair((2, 4))
    outs = []
    for lib, base in ((ember, x), (torch, tx)):
        a = base * 1.0
        conv = [lib.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v for v in args(a)]
        if src is not None:
            conv = [v if v is not None else src(lib).double() * 2 for v in conv]
        conv = [v for v in conv if v is not None]
        r = getattr(a, name)(*conv)
        assert r is a and a._version == 1
        outs.append(a)
    _close(outs[0], outs[1], what=name)
    _backward_both(outs[0], outs[1])
    _close(x.grad, tx.grad, what=name + " grad")


def test_index_put_inplace():
    x, tx = _pair((4, 3))
    a, ta = x * 1.0, tx * 1.0
    v, tv = _pair((3,), seed=4)
    a.index_put_((ember.tensor([1, 1, 3]),), v, accumulate=True)
    ta.index_put_((torch.tensor([1, 1, 3]),), tv, accumulate=True)
    _close(a, ta, what="index_put_")
    _backward_both(a, ta)
    _close(x.grad, tx.grad, what="index_put_ grad")
    _close(v.grad, tv.grad, what="index_put_ value grad")


# ---------------------------------------------------------------- double backward
DOUBLE = [
    ("getitem_adv", lambda lib, x: x[lib.tensor([0, 2, 0])]),
    ("getitem_basic", lambda lib, x: x[1:, 0]),
    ("getitem_mask", lambda lib, x: x[x > 0]),
    ("gather", lambda lib, x: x.gather(1, lib.tensor([[0, 0], [2, 1], [1, 1]]))),
    ("index_select", lambda lib, x: x.index_select(0, lib.tensor([2, 2, 0]))),
    ("masked_fill", lambda lib, x: x.masked_fill(lib.tensor([True, False, True]), 1.0)),
    ("masked_select", lambda lib, x: x.masked_select(lib.tensor([True, False, True]))),
    ("scatter_add", lambda lib, x: lib.zeros(3, 5, dtype=x.dtype).scatter_add(
        1, lib.tensor([[0, 0, 4], [1, 2, 1], [3, 3, 3]]), x)),
    ("take", lambda lib, x: lib.take(x, lib.tensor([8, 0, 8]))),
    ("index_put_acc", lambda lib, x: lib.zeros(4, 3, dtype=x.dtype).index_put(
        (lib.tensor([1, 1, 0]),), x, accumulate=True)),
    ("setitem", lambda lib, x: _set(x)),
    ("setitem_view", lambda lib, x: _set_view(x)),
    ("scatter_reduce_amax", lambda lib, x: (x * 1.0).scatter_reduce(
        0, lib.tensor([[0, 1, 1], [0, 1, 2]]), x[1:], "amax")),
    ("scatter_reduce_mean", lambda lib, x: (x * 1.0).scatter_reduce(
        0, lib.tensor([[0, 1, 1], [0, 1, 2]]), x[1:], "mean", include_self=False)),
    ("index_copy", lambda lib, x: x.index_copy(1, lib.tensor([2, 0]), x[:, :2] * 3.0)),
    ("index_fill", lambda lib, x: x.index_fill(0, lib.tensor([1]), x[0, 0])),
    ("masked_scatter", lambda lib, x: lib.zeros(2, 5, dtype=x.dtype).masked_scatter(
        lib.tensor([True, False, True, True, False]), x)),
]


def _set_view(x):
    a = x * 2.0
    a[0][1:] = x[1, 1:] * x[2, 1:]
    return a


def _set(x):
    a = x * 2.0
    a[0, [1, 2]] = x[1, :2] * x[2, :2]
    return a


@pytest.mark.parametrize("fn", [f for _, f in DOUBLE], ids=[n for n, _ in DOUBLE])
def test_double_backward(fn):
    xa = np.random.default_rng(0).standard_normal((3, 3))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xa, requires_grad=True)
        y = fn(lib, x)
        w = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (g,) = lib.autograd.grad((y * y * w).sum(), x, create_graph=True)
        (g * g).sum().backward()
        res.append((g, x.grad))
    _close(res[0][0], res[1][0], what="first grad")
    _close(res[0][1], res[1][1], what="second grad")


# ---------------------------------------------------------------- nonzero / searchsorted
@pytest.mark.parametrize("a", [np.array([[1, 0, 2], [0, 0, 3]]), np.array(5.0), np.array(0.0),
                               np.zeros((2, 0)), np.array([True, False, True])])
def test_nonzero_argwhere(a):
    e, t = ember.from_numpy(a.copy()), torch.from_numpy(a.copy())
    _close(ember.nonzero(e), torch.nonzero(t), what="nonzero")
    _close(ember.argwhere(e), torch.argwhere(t), what="argwhere")
    for x, y in zip(ember.nonzero(e, as_tuple=True), torch.nonzero(t, as_tuple=True), strict=True):
        _close(x, y, what="nonzero as_tuple")
    assert len(e.nonzero(as_tuple=True)) == len(torch.nonzero(t, as_tuple=True))


SEARCH = [
    (np.array([1.0, 2, 2, 3, 5]), np.array([[0.5, 2], [3, 9]]), {}),
    (np.array([1.0, 2, 2, 3, 5]), np.array([2.0, 3, 0]), {"right": True}),
    (np.array([1.0, 2, 2, 3, 5]), np.array([2.0, 3, 0]), {"side": "right", "out_int32": True}),
    (np.array([[1.0, 3, 5], [2, 2, 4]]), np.array([[3.0, 0], [2, 7]]), {}),
    (np.array([[1.0, 3, 5], [2, 2, 4]]), np.array([[3.0, 0], [2, 7]]), {"right": True}),
    (np.array([5.0, 1, 3]), np.array([2.0, 6]), {"sorter": np.array([1, 2, 0])}),
    (np.array([[5.0, 1, 3], [0, 9, 2]]), np.array([[2.0], [3]]),
     {"sorter": np.array([[1, 2, 0], [0, 2, 1]])}),
    (np.array([1, 4, 9]), np.array([4, 5]), {}),
    (np.array([1.0, 4, 9]), 4.0, {}),
]


@pytest.mark.parametrize("seq,vals,kw", SEARCH)
def test_searchsorted(seq, vals, kw):
    conv = {k: (v if not isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    ek = {k: ember.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v
          for k, v in conv.items()}
    tk = {k: torch.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v
          for k, v in conv.items()}
    ev = ember.from_numpy(vals.copy()) if isinstance(vals, np.ndarray) else vals
    tv = torch.from_numpy(vals.copy()) if isinstance(vals, np.ndarray) else vals
    e = ember.searchsorted(ember.from_numpy(seq.copy()), ev, **ek)
    t = torch.searchsorted(torch.from_numpy(seq.copy()), tv, **tk)
    _close(e, t, what="searchsorted")


@pytest.mark.parametrize("right", [False, True])
def test_bucketize(right):
    b = np.array([1.0, 3, 5, 7])
    v = np.array([[0.0, 1, 3.5], [5, 7, 8]])
    e = ember.bucketize(ember.tensor(v), ember.tensor(b), right=right)
    t = torch.bucketize(torch.tensor(v), torch.tensor(b), right=right)
    _close(e, t, what="bucketize")
    _close(ember.bucketize(3, ember.tensor(b), right=right, out_int32=True),
                 torch.bucketize(3, torch.tensor(b), right=right, out_int32=True),
                 what="bucketize scalar")


# ---------------------------------------------------------------- errors as torch
GETITEM_ERRORS = [
    (B, slice(None, None, -1)), (B, slice(None, None, 0)), (B, 3), (B, -4), (B, (0, 4)),
    (B, (0, 0, 0, 0)), (B, 1.0), (B, "a"), (B, I([0, 3])), (B, (slice(None), [4])),
    (B, I([1.0, 2.0], dtype=np.float64)), (B, I([0, 1], dtype=np.int16)),
    (B, I([True, False], dtype=bool)), (B, (0, I([True, False], dtype=bool))),
    (B, ([0, 1], [0, 1, 2])), ((), 0), (B, I(1.5, dtype=np.float64)),
]


@pytest.mark.parametrize("shape,key", GETITEM_ERRORS)
def test_getitem_errors_match_torch(shape, key):
    t = torch.zeros(shape)
    with pytest.raises(Exception) as info:
        t[_key(key, "torch")]
    with pytest.raises(info.type):
        ember.zeros(shape)[_key(key, "ember")]


def _err_cases():
    z = lambda lib: lib.zeros(3, 4)  # noqa: E731
    L = lambda lib, *a, **kw: lib.tensor(a[0] if len(a) == 1 else a, **kw)  # noqa: E731
    return {
        "set_shape": lambda lib: z(lib).__setitem__((0, slice(0, 2)), lib.ones(3)),
        "set_adv_shape": lambda lib: z(lib).__setitem__([0, 1], lib.ones(3, 4, 1)),
        "set_dtype": lambda lib: z(lib).__setitem__([0, 1], L(lib, [1, 2])),
        "set_list": lambda lib: z(lib).__setitem__(0, [1.0]),
        "gather_ndim": lambda lib: z(lib).gather(1, L(lib, [0, 1])),
        "gather_oob": lambda lib: z(lib).gather(1, L(lib, [[0, 4]])),
        "gather_neg": lambda lib: z(lib).gather(1, L(lib, [[0, -1]])),
        "gather_size": lambda lib: z(lib).gather(1, lib.zeros(4, 1, dtype=lib.int64)),
        "gather_dim": lambda lib: z(lib).gather(2, lib.zeros(3, 1, dtype=lib.int64)),
        "gather_float": lambda lib: z(lib).gather(1, lib.zeros(3, 1)),
        "scatter_dtype": lambda lib: z(lib).scatter(1, L(lib, [[0]]), lib.ones(1, 1,
                                                                                dtype=lib.float64)),
        "scatter_src_small": lambda lib: z(lib).scatter(1, L(lib, [[0, 1]]), lib.ones(1, 1)),
        "scatter_oob": lambda lib: z(lib).scatter(1, L(lib, [[0, 4]]), 1.0),
        "scatter_reduce_bad": lambda lib: z(lib).scatter_reduce(1, L(lib, [[0]]), lib.ones(1, 1),
                                                                "foo"),
        "index_select_2d": lambda lib: z(lib).index_select(1, L(lib, [[0, 1]])),
        "index_select_oob": lambda lib: z(lib).index_select(1, L(lib, [0, 4])),
        "index_select_float": lambda lib: z(lib).index_select(1, L(lib, [0.0])),
        "index_add_count": lambda lib: z(lib).index_add(1, L(lib, [0, 1]), lib.ones(3, 3)),
        "index_add_dtype": lambda lib: z(lib).index_add(1, L(lib, [0]),
                                                        lib.ones(3, 1, dtype=lib.float64)),
        "index_add_oob": lambda lib: z(lib).index_add(1, L(lib, [5]), lib.ones(3, 1)),
        "index_copy_oob": lambda lib: z(lib).index_copy(1, L(lib, [5]), lib.ones(3, 1)),
        "index_fill_oob": lambda lib: z(lib).index_fill(1, L(lib, [7]), 1.0),
        "index_fill_value": lambda lib: z(lib).index_fill(1, L(lib, [0]), lib.ones(1)),
        "masked_fill_long": lambda lib: z(lib).masked_fill(L(lib, [1, 0, 1, 0]), 1.0),
        "masked_fill_shape": lambda lib: z(lib).masked_fill(L(lib, [True, False, True]), 1.0),
        "masked_fill_value": lambda lib: z(lib).masked_fill(L(lib, [True] * 4), lib.ones(2)),
        "masked_fill_inplace_shape": lambda lib: lib.zeros(4).masked_fill_(
            lib.ones(3, 4, dtype=lib.bool), 1.0),
        "masked_select_long": lambda lib: z(lib).masked_select(L(lib, [1, 0, 1, 0])),
        "masked_scatter_few": lambda lib: z(lib).masked_scatter(L(lib, [True] * 4), lib.ones(3)),
        "masked_scatter_dtype": lambda lib: z(lib).masked_scatter(
            L(lib, [True] * 4), lib.ones(12, dtype=lib.float64)),
        "take_oob": lambda lib: z(lib).take(L(lib, [12])),
        "take_neg_oob": lambda lib: z(lib).take(L(lib, [-13])),
        "take_along_ndim": lambda lib: z(lib).take_along_dim(L(lib, [0, 1]), 0),
        "put_oob": lambda lib: z(lib).put(L(lib, [12]), lib.ones(1)),
        "put_count": lambda lib: z(lib).put(L(lib, [1, 2]), lib.ones(3)),
        "index_put_dtype": lambda lib: z(lib).index_put((L(lib, [0]),),
                                                        lib.ones(1, dtype=lib.int64)),
        "index_put_none": lambda lib: z(lib).index_put((L(lib, [0]), None), lib.ones(1)),
        "searchsorted_side": lambda lib: lib.searchsorted(L(lib, [1, 2]), L(lib, [1]), right=True,
                                                          side="left"),
        "searchsorted_shape": lambda lib: lib.searchsorted(L(lib, [[1, 2], [3, 4]]), L(lib, [1])),
        "bucketize_2d": lambda lib: lib.bucketize(L(lib, [1]), L(lib, [[1, 2]])),
    }


ERRS = _err_cases()


@pytest.mark.parametrize("name", list(ERRS))
def test_errors_match_torch(name):
    fn = ERRS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(torch)
        with pytest.raises(info.type):
            fn(ember)


# ---------------------------------------------------------------- random keys (hypothesis)
@st.composite
def _random_key(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    key, d = [], 0
    for _ in range(draw(st.integers(1, len(shape) + 1))):
        n = shape[d] if d < len(shape) else 3
        kind = draw(st.sampled_from(["int", "slice", "slice", "none", "ellipsis", "array",
                                     "array2d", "mask", "bool"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(slice(draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                             draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                             draw(st.one_of(st.none(), st.integers(1, 3)))))
        elif kind == "none":
            key.append(None)
            continue
        elif kind == "ellipsis":
            if Ellipsis in key:
                continue
            key.append(Ellipsis)
            d = len(shape) - sum(1 for k in key if k is not None and k is not Ellipsis)
            continue
        elif kind == "array":
            key.append(I(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3))))
        elif kind == "array2d":
            key.append(I(np.array(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
                         .reshape(2, 1)))
        elif kind == "mask":
            key.append(I(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool))
        else:
            key.append(draw(st.booleans()))
            continue
        d += 1
    return shape, tuple(key)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(_random_key())
def test_random_keys_match_torch(case):
    shape, key = case
    x, tx = _pair(shape)
    try:
        t = tx[_key(key, "torch")]
    except Exception as exc:  # torch rejects the key: ember must raise the same type
        with pytest.raises(type(exc)):
            x[_key(key, "ember")]
        return
    e = x[_key(key, "ember")]
    _close(e, t, what=f"getitem {key}")
    if not t.numel():   # torch skips bounds checks on empty results
        return
    _backward_both(e, t)
    _close(x.grad, tx.grad, what=f"getitem grad {key}")
    # the same key as a setitem target, with a broadcast value
    a, ta = x.detach() * 1.0, tx.detach() * 1.0
    a[_key(key, "ember")] = ember.tensor(-7.0, dtype=ember.float64)
    ta[_key(key, "torch")] = torch.tensor(-7.0, dtype=torch.float64)
    _close(a, ta, what=f"setitem {key}")
