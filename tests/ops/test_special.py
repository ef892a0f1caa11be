"""Op table for the special functions (ops/special.py, ember.special), checked against torch:
forward values, gradients, float64 finite differences; special values, double backward,
errors and the namespaces (ember.<name>, Tensor methods, ember.special)."""
import numpy as np
import pytest
import torch

import ember
from .opinfo import OpInfo, Sample, assert_close, cases, run_generic


# ---------------------------------------------------------------- sample generators
def _unary(lo, hi, avoid_ints=False):
    """(3, 4), 0-d, empty and non-contiguous samples in [lo, hi] (optionally kept 0.1 away
    from the integers, where the gamma functions have poles)."""
    def gen(rng):
        def r(shape):
            x = np.asarray(rng.uniform(lo, hi, shape))
            if avoid_ints:
                f = x - np.round(x)
                x = np.where(np.abs(f) < 0.1, np.round(x) + 0.1 * np.sign(f + 1e-12), x)
            return x
        return [Sample((r((3, 4)),)), Sample((r(()),)), Sample((r((0, 3)),)),
                Sample((r((2, 3)),), noncontig=True)]
    return gen


def _binary(alo, ahi, blo, bhi):
    def gen(rng):
        a = lambda s: np.asarray(rng.uniform(alo, ahi, s))  # noqa: E731
        b = lambda s: np.asarray(rng.uniform(blo, bhi, s))  # noqa: E731
        return [Sample((a((3, 4)), b((3, 4)))), Sample((a((2, 1, 3)), b((4, 1)))),
                Sample((a(()), b((2, 3)))), Sample((a((0, 2)), b((2,)))),
                Sample((a((2, 3)), b((2, 3))), noncontig=True)]
    return gen


def _with_n(n):
    return lambda rng: [Sample((n, s.args[0]), noncontig=s.noncontig)
                        for s in _unary(0.3, 6.0)(rng)]


def _mvl(p):
    return lambda rng: [Sample((s.args[0], p), noncontig=s.noncontig)
                        for s in _unary((p - 1) / 2 + 0.2, 6.0)(rng)]


S, TS = ember.special, torch.special
OPS = [
    OpInfo("lgamma", ember.lgamma, torch.lgamma, _unary(-4.0, 8.0, avoid_ints=True)),
    OpInfo("lgamma_big", ember.lgamma, torch.lgamma, _unary(10.0, 200.0)),
    OpInfo("digamma", ember.digamma, torch.digamma, _unary(-4.0, 8.0, avoid_ints=True)),
    OpInfo("polygamma1", ember.polygamma, torch.polygamma, _with_n(1)),
    OpInfo("polygamma3", ember.polygamma, torch.polygamma, _with_n(3), rtol=1e-6),
    OpInfo("mvlgamma2", ember.mvlgamma, torch.mvlgamma, _mvl(2)),
    OpInfo("mvlgamma4", ember.mvlgamma, torch.mvlgamma, _mvl(4)),
    OpInfo("erfinv", ember.erfinv, torch.erfinv, _unary(-0.95, 0.95)),
    OpInfo("sinc", ember.sinc, torch.sinc, _unary(-3.0, 3.0)),
    OpInfo("igamma", ember.igamma, torch.igamma, _binary(0.3, 5.0, 0.1, 8.0), grad=False),
    OpInfo("igammac", ember.igammac, torch.igammac, _binary(0.3, 5.0, 0.1, 8.0), grad=False),
    OpInfo("gammainc_x", S.gammainc, TS.gammainc,
           lambda rng: [Sample(s.args, grad=(1,), noncontig=s.noncontig)
                        for s in _binary(0.3, 5.0, 0.1, 8.0)(rng)]),
    OpInfo("gammaincc_x", S.gammaincc, TS.gammaincc,
           lambda rng: [Sample(s.args, grad=(1,), noncontig=s.noncontig)
                        for s in _binary(0.3, 5.0, 0.1, 8.0)(rng)]),
    OpInfo("ndtr", S.ndtr, TS.ndtr, _unary(-6.0, 6.0)),
    OpInfo("log_ndtr", S.log_ndtr, TS.log_ndtr, _unary(-30.0, 6.0), dtypes=("float64",)),
    # float32 gradients far in the tail differ in the last bits of exp(-x^2/2 - y), as torch's
    OpInfo("log_ndtr_f32", S.log_ndtr, TS.log_ndtr, _unary(-4.0, 6.0), dtypes=("float32",)),
    OpInfo("erfcx", S.erfcx, TS.erfcx, _unary(-3.0, 30.0)),
    OpInfo("entr", S.entr, TS.entr, _unary(0.05, 4.0)),
    OpInfo("xlog1py", S.xlog1py, TS.xlog1py, _binary(-2.0, 2.0, -0.9, 3.0)),
    OpInfo("gammaln", S.gammaln, TS.gammaln, _unary(0.2, 6.0)),
    OpInfo("psi", S.psi, TS.psi, _unary(0.2, 6.0)),
    OpInfo("multigammaln", S.multigammaln, TS.multigammaln, _mvl(3)),
    OpInfo("expit", S.expit, TS.expit, _unary(-5.0, 5.0)),
    OpInfo("logit", S.logit, TS.logit, _unary(0.05, 0.95)),
    OpInfo("special.erf", S.erf, TS.erf, _unary(-3.0, 3.0)),
    OpInfo("special.erfc", S.erfc, TS.erfc, _unary(-3.0, 3.0)),
    OpInfo("special.erfinv", S.erfinv, TS.erfinv, _unary(-0.9, 0.9)),
    OpInfo("special.xlogy", S.xlogy, TS.xlogy, _binary(-2.0, 2.0, 0.1, 3.0)),
    OpInfo("special.expm1", S.expm1, TS.expm1, _unary(-2.0, 2.0)),
    OpInfo("special.exp2", S.exp2, TS.exp2, _unary(-2.0, 2.0)),
    OpInfo("special.log1p", S.log1p, TS.log1p, _unary(-0.5, 2.0)),
    OpInfo("special.round", S.round, TS.round, _unary(-3.0, 3.0), grad=False),
    OpInfo("special.polygamma", S.polygamma, TS.polygamma, _with_n(2)),
    OpInfo("special.logsumexp", lambda x: S.logsumexp(x, -1), lambda x: TS.logsumexp(x, -1),
           _unary(-3.0, 3.0)),
    OpInfo("special.softmax", lambda x: S.softmax(x, -1), lambda x: TS.softmax(x, -1),
           _unary(-3.0, 3.0)),
    OpInfo("special.log_softmax", lambda x: S.log_softmax(x, -1),
           lambda x: TS.log_softmax(x, -1), _unary(-3.0, 3.0)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_op(op, sample, dtype):
    run_generic(op, sample, dtype)


# ---------------------------------------------------------------- special values, edge cases
SPECIAL = np.array([0.0, -0.0, 1.0, 2.0, -1.0, -2.5, 0.5, 1e-300, 1e10, np.inf, -np.inf,
                    np.nan, 171.5, -170.3])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["lgamma", "digamma", "sinc", "erfinv"])
def test_special_values(name, dtype):
    x = SPECIAL if name != "erfinv" else np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1.5, np.nan])
    e = getattr(ember, name)(ember.tensor(x.astype(dtype)))
    t = getattr(torch, name)(torch.tensor(x.astype(dtype)))
    assert_close(e, t, 1e-5 if dtype == "float32" else 1e-7, 0, name)


@pytest.mark.parametrize("name", ["ndtr", "log_ndtr", "erfcx", "entr"])
def test_special_values_special_namespace(name):
    x = np.array([0.0, -0.0, 1.0, -1.0, -5.0, -40.0, -1e3, 40.0, 1e3, np.inf, -np.inf,
                  np.nan])
    e = getattr(ember.special, name)(ember.tensor(x))
    t = getattr(torch.special, name)(torch.tensor(x))
    assert_close(e, t, 1e-9, 0, name)


def test_incomplete_gamma_edges():
    a = np.array([0.0, 0.0, 1.0, 0.0, 2.0, 3.0, np.nan, 1.0])
    x = np.array([0.0, 1.0, 0.0, np.inf, np.inf, 0.0, 1.0, np.nan])
    for name in ("igamma", "igammac"):
        e = getattr(ember, name)(ember.tensor(a), ember.tensor(x))
        t = getattr(torch, name)(torch.tensor(a), torch.tensor(x))
        assert_close(e, t, 1e-12, 0, name)


def test_int_inputs_promote_to_float():
    for name in ("lgamma", "digamma", "sinc", "erfinv"):
        e = getattr(ember, name)(ember.tensor([1, 2, 3]))
        t = getattr(torch, name)(torch.tensor([1, 2, 3]))
        assert_close(e, t, 1e-6, 1e-7, name)
    assert_close(ember.mvlgamma(ember.tensor([5, 6]), 2), torch.mvlgamma(torch.tensor([5, 6]), 2),
                 1e-6, 0, "mvlgamma int")


def test_polygamma_method_and_inplace():
    x = np.array([0.7, 1.3, 4.2])
    e, t = ember.tensor(x), torch.tensor(x)
    assert_close(e.polygamma(2), t.polygamma(2), 1e-10, 0, "polygamma method")
    for name in ("lgamma_", "digamma_", "sinc_", "erfinv_"):
        v = x / 5
        ee, tt = ember.tensor(v), torch.tensor(v)
        assert getattr(ee, name)() is ee
        getattr(tt, name)()
        assert_close(ee, tt, 1e-10, 0, name)
    ee, tt = ember.tensor(x), torch.tensor(x)
    ee.polygamma_(1)
    tt.polygamma_(1)
    assert_close(ee, tt, 1e-10, 0, "polygamma_")
    ee, tt = ember.tensor(x + 1), torch.tensor(x + 1)
    ee.mvlgamma_(2)
    tt.mvlgamma_(2)
    assert_close(ee, tt, 1e-10, 0, "mvlgamma_")


@pytest.mark.parametrize("name", ["lgamma", "digamma", "sinc", "erfinv", "erf"])
def test_double_backward(name):
    x = np.array([0.3, 0.6, 0.8]) if name == "erfinv" else np.array([0.3, 1.7, 2.5])
    e = ember.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ge, = ember.autograd.grad(getattr(ember, name)(e).sum(), e, create_graph=True)
    gt, = torch.autograd.grad(getattr(torch, name)(t).sum(), t, create_graph=True)
    assert_close(ge, gt, 1e-9, 1e-12, name)
    hh_e, = ember.autograd.grad(ge.sum(), e)
    hh_t, = torch.autograd.grad(gt.sum(), t)
    assert_close(hh_e, hh_t, 1e-7, 1e-10, name + " double backward")


@pytest.mark.parametrize("name", ["ndtr", "log_ndtr", "erfcx", "xlog1py"])
def test_double_backward_special_namespace(name):
    x = np.array([-2.0, 0.3, 1.7])
    args_e = [ember.tensor(x, requires_grad=True)]
    args_t = [torch.tensor(x, requires_grad=True)]
    if name == "xlog1py":
        args_e.append(ember.tensor(x + 2.5, requires_grad=True))
        args_t.append(torch.tensor(x + 2.5, requires_grad=True))
    ge = ember.autograd.grad(getattr(ember.special, name)(*args_e).sum(), args_e,
                             create_graph=True)
    gt = torch.autograd.grad(getattr(torch.special, name)(*args_t).sum(), args_t,
                             create_graph=True)
    for a, b in zip(ge, gt):
        assert_close(a, b, 1e-9, 1e-12, name)
    he = ember.autograd.grad(sum(g.sum() for g in ge), args_e)
    ht = torch.autograd.grad(sum(g.sum() for g in gt), args_t)
    for a, b in zip(he, ht):
        assert_close(a, b, 1e-7, 1e-10, name + " double backward")


def test_gradcheck_lgamma_polygamma():
    x = ember.tensor([0.4, 1.5, 3.2], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(ember.lgamma, (x,))
    assert ember.autograd.gradcheck(lambda v: ember.polygamma(2, v), (x,))
    assert ember.autograd.gradcheck(lambda v: ember.mvlgamma(v + 2, 3), (x,))


# ---------------------------------------------------------------- errors
def test_errors_match_torch():
    x = np.array([1.0, 2.0])
    for fe, ft in [(lambda m: m.polygamma(-1, m.tensor(x)), None),
                   (lambda m: m.mvlgamma(m.tensor(x), 0), None)]:
        with pytest.raises(RuntimeError) as te:
            fe(torch)
        with pytest.raises(type(te.value)):
            fe(ember)
    for name in ("igamma", "igammac"):
        with pytest.raises(NotImplementedError):
            getattr(torch, name)(torch.tensor(x, requires_grad=True), torch.tensor(x)).sum() \
                .backward()
        with pytest.raises(NotImplementedError, match=f"'{name}: input'"):
            getattr(ember, name)(ember.tensor(x, requires_grad=True), ember.tensor(x)).sum() \
                .backward()


def test_out_argument():
    x = ember.tensor([0.5, 1.5])
    out = ember.empty(2)
    r = ember.lgamma(x, out=out)
    assert r is out
    assert_close(out, torch.lgamma(torch.tensor([0.5, 1.5])), 1e-6, 0, "lgamma out=")


# ---------------------------------------------------------------- namespaces
def test_namespaces():
    for name in ("lgamma", "digamma", "polygamma", "mvlgamma", "igamma", "igammac", "sinc",
                 "erf", "erfc", "erfinv"):
        assert callable(getattr(ember, name)), name
        assert hasattr(torch, name), name
    for name in ember.special.__all__:
        assert hasattr(torch.special, name), name
    assert ember.special.expit is ember.sigmoid
    # the distributions keep importing them from their old home
    from ember.distributions import _special
    assert _special.lgamma is ember.lgamma and _special.gammainc is ember.special.gammainc


def test_tensor_T_warnings_match_torch():
    import warnings
    for shape in [(2, 3, 4), ()]:
        with pytest.warns(UserWarning) as we:
            ember.ones(shape).T
        with warnings.catch_warnings(record=True) as wt:   # torch warns once per process
            warnings.simplefilter("always")
            torch.ones(shape).T
        for w in wt:
            assert str(w.message).startswith(str(we[0].message))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.ones(2, 3).T
        ember.ones(3).T
