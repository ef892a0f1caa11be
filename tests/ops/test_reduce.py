"""Op table for the reductions (ops/reduce.py), checked against real torch."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from .opinfo import OpInfo, Sample, assert_close, cases, run_generic, to_numpy


# ---------------------------------------------------------------- samples
def _dims(rng, kw_name="dim", tuples=True, keepdim=True):
    """A generic reduction sample set: all dims, each dim (negative too), tuples, keepdim,
    0-d, empty and non-contiguous inputs."""
    r = rng.standard_normal
    out = [Sample((r((3, 4)),)), Sample((r((3, 4, 2)),), {kw_name: 1}),
           Sample((r((3, 4, 2)),), {kw_name: -1}), Sample((r((3, 4, 2)),), {kw_name: -3}),
           Sample((r(()),), {kw_name: 0}), Sample((r(()),)),
           Sample((r((3, 4)),), {kw_name: 0}, noncontig=True),
           Sample((r((2, 3)),), {kw_name: 1, "keepdim": True} if keepdim else {kw_name: 1})]
    if tuples:
        out += [Sample((r((3, 4, 2)),), {kw_name: (0, 2), "keepdim": keepdim}),
                Sample((r((3, 4, 2)),), {kw_name: [-1, 0]})]
    return out


def _reduce(rng):
    r = rng.standard_normal
    return _dims(rng) + [Sample((r((0, 3)),), {"dim": 0}), Sample((r((0, 3)),))]


def _nan(rng):
    def with_nan(shape):
        a = rng.standard_normal(shape)
        a.flat[::3] = np.nan
        return a
    return [Sample((with_nan((3, 4)),)), Sample((with_nan((3, 4)),), {"dim": 1}),
            Sample((with_nan((2, 3, 4)),), {"dim": (0, 2), "keepdim": True}),
            Sample((np.full((2, 3), np.nan),), {"dim": 1})]


def _prod(rng):
    r = rng.standard_normal
    one_zero = r((3, 4))
    one_zero[1, 2] = 0
    two_zeros = r((3, 4))
    two_zeros[0, 1] = two_zeros[0, 3] = 0
    all_zero = np.zeros((2, 3))
    return [Sample((r((3, 4)),)), Sample((r((3, 4)),), {"dim": 1}),
            Sample((r((3, 4, 2)),), {"dim": -2, "keepdim": True}), Sample((r(()),)),
            Sample((r(()),), {"dim": 0}), Sample((r((0, 3)),), {"dim": 0}),
            Sample((r((3, 4)),), {"dim": 0}, noncontig=True),
            Sample((one_zero,)), Sample((one_zero,), {"dim": 1}), Sample((one_zero,), {"dim": 0}),
            Sample((two_zeros,)), Sample((two_zeros,), {"dim": 1}), Sample((all_zero,), {"dim": 0})]


def _ties(rng, shape=(3, 5)):
    """Integer-valued floats: many exact ties (gradients at kinks: no finite differences)."""
    return rng.integers(0, 3, shape).astype(float)


def _tie_samples(rng, dim=True):
    s = [Sample((_ties(rng),)), Sample((_ties(rng, (4, 6)),)),
         Sample((np.array([1., 3., 3., 2.]),))]
    if dim:
        s += [Sample((_ties(rng),), {"dim": 1}), Sample((_ties(rng, (4, 3, 2)),), {"dim": 0}),
              Sample((_ties(rng, (4, 6)),), {"dim": -1, "keepdim": True})]
    return s


def _one_dim(rng, empty=True):
    """Samples for ops that take exactly one dim (values/indices ops, cumulative ops)."""
    r = rng.standard_normal
    s = [Sample((r((3, 4)), 1)), Sample((r((3, 4)), 0)), Sample((r((2, 3, 4)), -2)),
         Sample((r(()), 0)), Sample((r((5,)), -1)), Sample((r((3, 4)), 1), noncontig=True)]
    if empty:
        s.append(Sample((r((0, 3)), 1)))
    return s


def _dim_kw(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)),), {"dim": 1}), Sample((r((3, 4)),), {"dim": 0, "keepdim": True}),
            Sample((r((2, 3, 4)),), {"dim": -2}), Sample((r(()),), {"dim": 0}),
            Sample((r((3, 4)),), {"dim": 1}, noncontig=True), Sample((r((0, 3)),), {"dim": 1})]


def _var(rng):
    r = rng.standard_normal
    return _dims(rng) + [
        Sample((r((3, 4)),), {"dim": 1, "correction": 0}),
        Sample((r((3, 4)),), {"dim": (0, 1), "correction": 2, "keepdim": True}),
        Sample((r((3, 4)), 1, False)), Sample((r((3, 4)), False)),
        Sample((r((3, 4)),), {"unbiased": False, "dim": 0})]


def _var_kink(rng):
    const = np.full((2, 3), 1.5)
    return [Sample((const,), {"dim": 1}), Sample((const,))]


def _logsumexp(rng):
    r = rng.standard_normal
    big = r((3, 4)) * 300
    return [Sample((r((3, 4)), 1)), Sample((r((3, 4, 2)), (0, 2))),
            Sample((r((3, 4)), -1), {"keepdim": True}), Sample((r(()), 0)), Sample((big, 1)),
            Sample((r((3, 4)), 0), noncontig=True), Sample((r((0, 3)), 0)),
            Sample((np.array([[-np.inf, 1.0], [2.0, -np.inf]]), 1), grad=())]


def _norm(rng):
    r = rng.standard_normal
    out = []
    for p in (2, 1, 3, 0.5, 1.5, math.inf, -math.inf, "fro", -1.0):
        out += [Sample((r((3, 4)),), {"p": p}), Sample((r((3, 4)),), {"p": p, "dim": 1}),
                Sample((r((2, 3, 4)),), {"p": p, "dim": (0, 2), "keepdim": True})]
    out += [Sample((r((3, 4)),), {"p": 0, "dim": 1}, grad=()), Sample((r(()),)),
            Sample((r((3, 4)),), {"dim": 0}, noncontig=True), Sample((r((0, 3)),))]
    return out


def _norm_zero(rng):
    z = np.zeros((2, 3))
    z[1] = [1.0, -2.0, 2.0]
    return [Sample((z,), {"p": p, "dim": 1}) for p in (2, 1, 3, 0.5, 1.5, math.inf, -1.0)]


def _cumprod(rng):
    x = rng.standard_normal((2, 6))
    x[0, 1] = x[0, 4] = 0
    x[1, 0] = 0
    return _one_dim(rng) + [Sample((x, 1)), Sample((x, 0)),
                            Sample((np.array([2., 0., 3., 0., 4.]), 0))]


def _lcse(rng):
    return _one_dim(rng) + [Sample((np.array([[-80., 0.5, 30., 2.0]]), 1))]


def _lcse_big(rng):
    # float32 gradients of large-magnitude inputs: torch and ember round differently (ember
    # is the closer of the two to the float64 result)
    return [Sample((rng.standard_normal((2, 5)) * 200, 1)),
            Sample((np.array([[-1e30, 0.5, 1e3, 2.0]]), 1))]


def _cumext_ties(rng):
    return [Sample((_ties(rng), 1)), Sample((_ties(rng, (6, 2)), 0)),
            Sample((np.array([1., np.nan, 3., np.nan, 0.]), 0), grad=())]


def _median(rng):
    r = rng.standard_normal
    return [Sample((r((3, 5)),)), Sample((r((4, 4)),)), Sample((r((3, 5)), 1)),
            Sample((r((4, 6)), 0, True)), Sample((r(()), 0)),
            Sample((r((3, 4)), 1), noncontig=True),
            Sample((_ties(rng, (4, 7)), 1)), Sample((_ties(rng, (6, 4)), 0)),
            Sample((np.array([[1., np.nan, 3.], [2., 0., 1.]]), 1), grad=())]


def _median_all_ties(rng):
    return [Sample((_ties(rng, (3, 5)),)), Sample((np.array([1., 2., 2., 3., 3.]),))]


def _nanmedian(rng):
    x = rng.standard_normal((4, 6))
    x[0, ::2] = np.nan
    x[2] = np.nan
    rows = [Sample((np.full((1, n), np.nan), 1), grad=()) for n in (1, 4, 6, 7, 13, 40)]
    return [Sample((x, 1), grad=()), Sample((x, 0), grad=()), Sample((x[1:2], 1))] + rows


def _kth(rng):
    r = rng.standard_normal
    return [Sample((r((3, 5)), 2, 1)), Sample((r((3, 5)), 1, 0, True)), Sample((r((4,)), 4)),
            Sample((r(()), 1, 0)), Sample((r((3, 5)), 3, 1), noncontig=True),
            Sample((_ties(rng, (5, 9)), 4, 1)), Sample((_ties(rng, (30, 6)), 7, 0)),
            Sample((_ties(rng, (6, 40)), 17, -1)),
            Sample((np.array([[1., np.nan, 3., np.nan, 0.]]), 4, 1), grad=())]


def _sort(rng):
    r = rng.standard_normal
    return [Sample((r((3, 5)),)), Sample((r((3, 5)), 0)), Sample((r((3, 5)),),
                                                               {"descending": True}),
            Sample((r((2, 3, 4)), -2, True)), Sample((r(()),)), Sample((r((0, 3)),)),
            Sample((r((3, 5)), 1), noncontig=True),
            Sample((_ties(rng, (3, 30)),), {"stable": True}),
            Sample((_ties(rng, (3, 30)),), {"stable": True, "descending": True}),
            Sample((_ties(rng, (3, 6)),), {"stable": True, "dim": 0}),
            Sample((np.array([3., 1., np.nan, 1., 3., 2.]),), {"stable": True}, grad=()),
            Sample((np.array([3., 1., np.nan, 1., 3., 2.]),),
                   {"stable": True, "descending": True}, grad=())]


def _topk(rng):
    r = rng.standard_normal
    return [Sample((r((3, 5)), 2)), Sample((r((3, 5)), 3, 0)), Sample((r((3, 5)), 2),
                                                                      {"largest": False}),
            Sample((r((4,)), 4)), Sample((r((4,)), 0)), Sample((r((3, 5)), 2, 1), noncontig=True),
            Sample((np.array([[1., 3., 2., 3., 0.]]), 2), grad=()),
            Sample((np.array([[1., np.nan, 3., 2., 1.]]), 2), grad=())]


def _ints(rng):
    return [Sample((rng.integers(-3, 4, (3, 4)),)), Sample((rng.integers(-3, 4, (3, 4)),),
                                                            {"dim": 1}),
            Sample((rng.integers(0, 2, (3, 4)).astype(bool),)),
            Sample((rng.integers(0, 2, (3, 4)).astype(bool),), {"dim": 0, "keepdim": True}),
            Sample((rng.integers(-3, 4, ()),))]


def _logical(rng):
    x = rng.standard_normal((3, 4))
    x[0, 1] = x[2] = 0
    return _ints(rng) + [Sample((x,)), Sample((x,), {"dim": 1}),
                         Sample((x,), {"dim": (0, 1), "keepdim": True}),
                         Sample((x.astype(np.uint8),), {"dim": 0}), Sample((np.zeros((0, 2)),)),
                         Sample((np.array([np.nan, 0.0]),))]


def _arg(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)),)), Sample((r((3, 4)),), {"dim": 1}),
            Sample((r((3, 4)),), {"keepdim": True}),
            Sample((r((3, 4)),), {"dim": 0, "keepdim": True}), Sample((r(()),), {"dim": 0}),
            Sample((_ties(rng),), {"dim": 1}), Sample((rng.integers(0, 3, (4, 5)),), {"dim": 0}),
            Sample((np.array([1., np.nan, 3., np.nan]),))]


def _unique(rng):
    i = rng.integers(0, 4, (4, 5))
    rows = np.array([[1, 2], [1, 2], [0, 5], [1, 2], [0, 5]])
    return [Sample((i,)), Sample((i,), {"return_inverse": True, "return_counts": True}),
            Sample((i.astype(float),), {"sorted": False, "return_inverse": True}),
            Sample((rows,), {"dim": 0, "return_inverse": True, "return_counts": True}),
            Sample((rows,), {"dim": 1, "return_counts": True}),
            Sample((np.array([1., np.nan, np.nan, 1.]),)), Sample((np.zeros((0,)),)),
            Sample((i.astype(bool),), {"return_counts": True})]


def _unique_consecutive(rng):
    v = np.array([1, 1, 2, 2, 3, 1, 1, 2])
    rows = np.array([[1, 1], [1, 1], [2, 3], [1, 1]])
    return [Sample((v,)), Sample((v,), {"return_inverse": True, "return_counts": True}),
            Sample((rows,), {"dim": 0, "return_inverse": True, "return_counts": True}),
            Sample((rows.T.copy(),), {"dim": 1, "return_counts": True}),
            Sample((rng.integers(0, 2, (3, 4)),), {"return_inverse": True}),
            Sample((np.zeros((0,)),), {"return_counts": True})]


def _aminmax(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)),)), Sample((r((3, 4)),), {"dim": 1}),
            Sample((r((3, 4)),), {"dim": 0, "keepdim": True}), Sample((r(()),))]


def _aminmax_ties(rng):
    return [Sample((np.array([[1., 1., 3., 3.]]),)),
            Sample((np.array([[1., 1., 3., 3.], [2., 2., 2., 0.]]),), {"dim": 1})]


def _fn(name, **kw):
    return getattr(ember, name), getattr(torch, name)


def _op(name, samples, **kw):
    return OpInfo(name, getattr(ember, name), getattr(torch, name), samples, **kw)


def _nograd(name, samples, e=None, t=None):
    return OpInfo(name, e or getattr(ember, name), t or getattr(torch, name), samples,
                  grad=False)


OPS = [
    _op("sum", _reduce), _op("mean", _reduce), _op("nansum", _nan), _op("nanmean", _nan),
    _op("prod", _prod),
    _op("amax", lambda rng: _dims(rng)), _op("amin", lambda rng: _dims(rng)),
    OpInfo("amax_ties", ember.amax, torch.amax, _tie_samples, gradcheck=False),
    OpInfo("amin_ties", ember.amin, torch.amin, _tie_samples, gradcheck=False),
    _op("max", _dim_kw), _op("min", _dim_kw),
    OpInfo("max_all", ember.max, torch.max, lambda rng: [Sample((rng.standard_normal((3, 4)),)),
                                                         Sample((rng.standard_normal(()),))]),
    OpInfo("max_ties", ember.max, torch.max, _tie_samples, gradcheck=False),
    OpInfo("min_ties", ember.min, torch.min, _tie_samples, gradcheck=False),
    OpInfo("max_nan", ember.max, torch.max,
           lambda rng: [Sample((np.array([1., np.nan, 3., np.nan]),), grad=()),
                        Sample((np.array([[1., np.nan, 3.], [0., 2., 1.]]),), {"dim": 1},
                               grad=())], grad=False),
    _op("aminmax", _aminmax),
    OpInfo("aminmax_ties", ember.aminmax, torch.aminmax, _aminmax_ties, gradcheck=False),
    _op("var", _var), _op("std", _var), _op("var_mean", _var), _op("std_mean", _var),
    OpInfo("std_const", ember.std, torch.std, _var_kink, gradcheck=False),
    _op("logsumexp", _logsumexp),
    _op("norm", _norm), OpInfo("norm_zero", ember.norm, torch.norm, _norm_zero, gradcheck=False),
    _op("cumsum", _one_dim), _op("cumprod", _cumprod), _op("logcumsumexp", _lcse),
    OpInfo("logcumsumexp_big", ember.logcumsumexp, torch.logcumsumexp, _lcse_big, rtol=1e-3,
           gradcheck=False),
    _op("cummax", _one_dim), _op("cummin", _one_dim),
    OpInfo("cummax_ties", ember.cummax, torch.cummax, _cumext_ties, gradcheck=False),
    OpInfo("cummin_ties", ember.cummin, torch.cummin, _cumext_ties, gradcheck=False),
    OpInfo("median", ember.median, torch.median, _median, gradcheck=False),
    OpInfo("median_all_ties", ember.median, torch.median, _median_all_ties, gradcheck=False),
    OpInfo("nanmedian", ember.nanmedian, torch.nanmedian, _nanmedian, gradcheck=False),
    OpInfo("nanmedian_all", ember.nanmedian, torch.nanmedian,
           lambda rng: [Sample((np.array([1., 2., 2., np.nan, 5.]),))], gradcheck=False),
    OpInfo("kthvalue", ember.kthvalue, torch.kthvalue, _kth, gradcheck=False),
    OpInfo("sort", ember.sort, torch.sort, _sort, gradcheck=False),
    OpInfo("msort", ember.msort, torch.msort,
           lambda rng: [Sample((rng.standard_normal((4, 3)),))]),
    OpInfo("topk", ember.topk, torch.topk, _topk, gradcheck=False),
    OpInfo("topk_sum_ties", lambda a, k: ember.topk(a, k).values.sum(),
           lambda a, k: torch.topk(a, k).values.sum(),
           lambda rng: [Sample((np.array([[1., 3., 3., 2., 3.]]), 3)),
                        Sample((np.array([4., 1., 1., 0.]), 1))], gradcheck=False),
    _nograd("argsort", lambda rng: [Sample((rng.standard_normal((3, 5)),)),
                                    Sample((_ties(rng, (3, 30)),), {"stable": True}),
                                    Sample((_ties(rng, (3, 6)),),
                                           {"dim": 0, "descending": True, "stable": True})]),
    _nograd("argmax", _arg), _nograd("argmin", _arg),
    _nograd("all", _logical), _nograd("any", _logical), _nograd("count_nonzero", _logical,
                                                                  None, None),
    _nograd("sum_int", _ints, ember.sum, torch.sum), _nograd("prod_int", _ints, ember.prod,
                                                             torch.prod),
    _nograd("cumsum_int", lambda rng: [Sample((rng.integers(-3, 4, (3, 4)), 1)),
                                       Sample((rng.integers(0, 2, (3,)).astype(bool), 0))],
            ember.cumsum, torch.cumsum),
    _nograd("amax_int", _ints, ember.amax, torch.amax),
    _nograd("unique", _unique), _nograd("unique_consecutive", _unique_consecutive),
]
# count_nonzero takes no keepdim
OPS[[o.name for o in OPS].index("count_nonzero")].samples = lambda rng: [
    Sample(s.args, {k: v for k, v in s.kwargs.items() if k != "keepdim"})
    for s in _logical(rng)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_op(op, sample, dtype):
    run_generic(op, sample, dtype)


# ---------------------------------------------------------------- namedtuples and methods
def test_namedtuple_fields():
    x = ember.tensor([[1., 5., 2.], [7., 0., 7.]])
    for name, args in [("max", (1,)), ("min", (1,)), ("sort", ()), ("topk", (2,)),
                       ("kthvalue", (2,)), ("median", (1,)), ("nanmedian", (1,)),
                       ("cummax", (1,)), ("cummin", (1,))]:
        r = getattr(x, name)(*args)
        t = getattr(torch.tensor(x.numpy()), name)(*args)
        values, indices = r
        assert values is r.values and indices is r.indices and r[0] is r.values
        assert type(r).__name__ == type(t).__name__ == name
        assert_close(r.values, t.values, 0, 0, name)
        assert_close(r.indices, t.indices, 0, 0, name)
    mm = x.aminmax()
    assert float(mm.min) == 0 and float(mm.max) == 7 and mm[0] is mm.min


def test_tensor_methods_match_functions():
    x = ember.tensor([[1., 5., 2.], [7., 0., 7.]])
    assert float(x.sum()) == 22 and float(x.amax()) == 7 and int(x.argmax()) == 3
    assert x.std(1).shape == (2,) and x.logsumexp(1).shape == (2,)
    assert x.count_nonzero().item() == 5 and x.all().item() is False and x.any().item() is True
    y = x.clone()
    y.cumsum_(1)
    np.testing.assert_array_equal(y.numpy(), np.cumsum(x.numpy(), 1))


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name,args,kwargs", [
    ("sum", (), {}), ("sum", (0,), {}), ("prod", (), {}), ("cumsum", (0,), {}),
    ("cumprod", (0,), {}), ("argmax", (), {}), ("argmin", (0,), {}), ("count_nonzero", (), {}),
    ("all", (), {}), ("any", (0,), {}), ("nansum", (), {}), ("amax", (), {}),
    ("sum", (), {"dtype": "int32"}), ("cumsum", (0,), {"dtype": "float64"}),
    ("max", (), {}), ("median", (), {})])
@pytest.mark.parametrize("src", ["int64", "int32", "uint8", "bool", "float32", "float16"])
def test_result_dtype(name, args, kwargs, src):
    a = np.array([[1, 0, 2], [3, 1, 0]]).astype(src)
    ek = {k: getattr(ember, v) for k, v in kwargs.items()}
    tk = {k: getattr(torch, v) for k, v in kwargs.items()}
    try:
        t = getattr(torch, name)(torch.from_numpy(a), *args, **tk)
    except Exception as exc:  # torch refuses some (dtype, op) pairs: so must we
        with pytest.raises(type(exc)):
            getattr(ember, name)(ember.from_numpy(a), *args, **ek)
        return
    e = getattr(ember, name)(ember.from_numpy(a), *args, **ek)
    assert_close(e, t, rtol=1e-3, atol=1e-3, what=name)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "logsumexp", "norm", "prod",
                                  "cumsum", "amax", "nansum", "nanmean", "logcumsumexp"])
def test_float16_reduces_in_float32(name):
    """float16 in, float16 out, accumulated in float32: as close to the float64 result as a
    float16 can be (torch's own float16 CPU prod/cumsum accumulate in float16)."""
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(2048) + 10).astype(np.float16)
    args = (0,) if name in ("logsumexp", "cumsum", "logcumsumexp") else ()
    if name == "prod":
        a = rng.uniform(0.99, 1.01, 500).astype(np.float16)
    e = getattr(ember, name)(ember.from_numpy(a), *args)
    exact = getattr(torch, name)(torch.from_numpy(a.astype(np.float64)), *args)
    assert e.dtype is ember.float16
    np.testing.assert_allclose(e.numpy().astype(np.float64), exact.numpy(), rtol=1e-3,
                               atol=1e-3, err_msg=name)


def test_norm_p0_has_no_gradient_like_torch():
    xe = ember.tensor([1., 0., 3.], requires_grad=True)
    xt = torch.tensor([1., 0., 3.], requires_grad=True)
    ember.norm(xe, 0).backward()
    torch.norm(xt, 0).backward()
    assert xt.grad is None and (xe.grad is None or not xe.grad.numpy().any())


# ---------------------------------------------------------------- errors match torch
_ERR_CASES = [
    ("sum", ((2, 3),), {"dim": 2}), ("sum", ((2, 3),), {"dim": (0, 0)}),
    ("mean", ((2, 3),), {"dim": -3}), ("amax", ((2, 3),), {"dim": 5}),
    ("max", ((0,),), {}), ("max", ((0, 3),), {"dim": 0}), ("min", ((0,),), {}),
    ("amax", ((0, 3),), {"dim": 0}), ("argmax", ((0, 3),), {}), ("argmax", ((0, 3),), {"dim": 0}),
    ("argmin", ((2, 3),), {"dim": 2}), ("kthvalue", ((0,),), {"k": 1}),
    ("kthvalue", ((3,),), {"k": 4}), ("kthvalue", ((3,),), {"k": 0}),
    ("topk", ((3,),), {"k": 4}), ("median", ((0, 3),), {"dim": 0}),
    ("aminmax", ((0,),), {}), ("aminmax", ((0, 3),), {"dim": 0}),
    ("norm", ((0,),), {"p": math.inf}), ("cumsum", ((2,),), {"dim": 1}),
    ("cummax", ((2, 3),), {"dim": -3}), ("sort", ((2, 3),), {"dim": 2}),
    ("prod", ((2, 3),), {"dim": (0, 1)}), ("std", ((2, 3),), {"dim": 3}),
    ("logsumexp", ((2, 3),), {"dim": 2}), ("norm", ((2, 3),), {"p": "abc"}),
]


@pytest.mark.parametrize("name,shapes,kwargs", _ERR_CASES)
def test_errors_match_torch(name, shapes, kwargs):
    arrays = [np.ones(s) for s in shapes]
    with pytest.raises(Exception) as t_exc:
        getattr(torch, name)(*[torch.from_numpy(a) for a in arrays], **kwargs)
    with pytest.raises(t_exc.type):
        getattr(ember, name)(*[ember.from_numpy(a) for a in arrays], **kwargs)


@pytest.mark.parametrize("name", ["var", "std", "mean", "nanmean", "norm", "logcumsumexp"])
def test_integer_input_errors_match_torch(name):
    args = (0,) if name == "logcumsumexp" else ()
    with pytest.raises(Exception) as t_exc:
        getattr(torch, name)(torch.tensor([1, 2]), *args)
    with pytest.raises(t_exc.type):
        getattr(ember, name)(ember.tensor([1, 2]), *args)


@pytest.mark.parametrize("name,kwargs", [("sum", {}), ("prod", {}), ("mean", {}),
                                         ("logsumexp", {"dim": 0}), ("norm", {}),
                                         ("nanmean", {}), ("median", {}), ("nanmedian", {}),
                                         ("count_nonzero", {}), ("all", {}), ("any", {}),
                                         ("unique", {})])
def test_empty_reductions_match_torch(name, kwargs):
    e = getattr(ember, name)(ember.zeros(0), **kwargs)
    t = getattr(torch, name)(torch.zeros(0), **kwargs)
    assert_close(e, t, 0, 0, name)


# ---------------------------------------------------------------- double backward
def _second(fn_e, fn_t, a):
    """d/dx of sum(w * grad(f)(x)) with create_graph, against torch."""
    w = np.random.default_rng(7).standard_normal(a.shape)
    xe = ember.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    ge, = ember.autograd.grad(fn_e(xe), xe, create_graph=True)
    gt, = torch.autograd.grad(fn_t(xt), xt, create_graph=True)
    assert_close(ge, gt, 1e-7, 1e-9, "first")
    hge, = ember.autograd.grad((ge * ember.tensor(w)).sum(), xe)
    hgt, = torch.autograd.grad((gt * torch.tensor(w)).sum(), xt)
    assert_close(hge, hgt, 1e-7, 1e-9, "second")


_x34 = np.random.default_rng(5).standard_normal((3, 4))
_zero = _x34.copy()
_zero[1, 2] = 0


@pytest.mark.parametrize("name,fe,ft,x", [
    ("sum", lambda x: (x.sum(1) * x.sum(1)).sum(), lambda x: (x.sum(1) * x.sum(1)).sum(), _x34),
    ("sum_sq", lambda x: (x * x).sum(0).sum(), lambda x: (x * x).sum(0).sum(), _x34),
    ("mean", lambda x: (x * x.mean(1, keepdim=True)).sum(),
     lambda x: (x * x.mean(1, keepdim=True)).sum(), _x34),
    ("var", lambda x: ember.var(x, 1).sum(), lambda x: torch.var(x, 1).sum(), _x34),
    ("var_all", lambda x: x.var(), lambda x: x.var(), _x34),
    ("std", lambda x: ember.std(x, 0).sum(), lambda x: torch.std(x, 0).sum(), _x34),
    ("logsumexp", lambda x: ember.logsumexp(x, 1).sum(), lambda x: torch.logsumexp(x, 1).sum(),
     _x34),
    ("prod", lambda x: x.prod(1).sum(), lambda x: x.prod(1).sum(), _x34),
    ("prod_all", lambda x: x.prod(), lambda x: x.prod(), _x34),
    ("prod_zero", lambda x: x.prod(1).sum(), lambda x: x.prod(1).sum(), _zero),
    ("prod_all_zero", lambda x: x.prod(), lambda x: x.prod(), _zero),
    ("cumsum", lambda x: (x.cumsum(1) * x).sum(), lambda x: (x.cumsum(1) * x).sum(), _x34),
    ("cumprod", lambda x: x.cumprod(1).sum(), lambda x: x.cumprod(1).sum(), _x34),
    ("amax", lambda x: (x.amax(1) * x.sum(1)).sum(), lambda x: (x.amax(1) * x.sum(1)).sum(),
     _x34),
    ("sort", lambda x: (x.sort(1).values * x).sum(), lambda x: (x.sort(1).values * x).sum(),
     _x34),
    ("max_dim", lambda x: (x.max(0).values * x.sum(0)).sum(),
     lambda x: (x.max(0).values * x.sum(0)).sum(), _x34),
    ("cummax", lambda x: (x.cummax(1).values * x).sum(), lambda x: (x.cummax(1).values * x).sum(),
     _x34),
    ("logcumsumexp", lambda x: (x.logcumsumexp(1) * x).sum(),
     lambda x: (x.logcumsumexp(1) * x).sum(), _x34),
    ("cumprod_zero", lambda x: (x.cumprod(1) * x).sum(), lambda x: (x.cumprod(1) * x).sum(),
     _zero),
    ("norm", lambda x: (ember.norm(x, dim=1) * x.sum(1)).sum(),
     lambda x: (torch.norm(x, dim=1) * x.sum(1)).sum(), _x34),
])
def test_double_backward(name, fe, ft, x):
    _second(fe, ft, x.copy())


# ---------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_reductions_any_dims(shape, data):
    nd = len(shape)
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                              unique_by=lambda d: d % nd))
    keepdim = data.draw(st.booleans())
    a = np.random.default_rng(len(shape)).standard_normal(shape)
    for name in ("sum", "mean", "amax", "var", "nansum", "logsumexp", "norm"):
        kw = {"p": 3} if name == "norm" else {}
        e = getattr(ember, name)(ember.tensor(a), dim=tuple(dims), keepdim=keepdim, **kw)
        t = getattr(torch, name)(torch.tensor(a), dim=tuple(dims), keepdim=keepdim, **kw)
        assert_close(e, t, 1e-7, 1e-9, name)


@pytest.mark.parametrize("name", ["max", "min"])
def test_binary_max_min_is_maximum_minimum(name):
    op = OpInfo(name, getattr(ember, name), getattr(torch, name),
                lambda rng: [Sample((rng.standard_normal((3, 4)), rng.standard_normal((4,))))])
    for s in op.samples(np.random.default_rng(0)):
        run_generic(op, s, "float64")


def test_max_of_ties_matches_torch_indices_and_grad_routing():
    """max(dim) returns the first maximal index and routes the whole gradient to it."""
    a = np.array([[1., 3., 3., 2.], [5., 5., 5., 5.]])
    xe = ember.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    re, rt = xe.max(1), xt.max(1)
    assert to_numpy(re.indices).tolist() == rt.indices.tolist()
    re.values.sum().backward()
    rt.values.sum().backward()
    assert_close(xe.grad, xt.grad, 0, 0, "max grad")
