"""Each distribution against torch.distributions: log_prob, entropy, moments, mode, cdf/icdf,
their gradients with respect to the parameters, expand, sample shapes and statistics."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from .cases import B, CASES, build_pair, close, E, T

DTYPES = ("float64", "float32")


def _values(case, rng, P):
    return case.value(rng, P, (5,) + B)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_values_match_torch(case, dtype, rng):
    P = case.params(rng)
    de, dt, _, _ = build_pair(case, P, dtype, grad=False)
    assert tuple(de.batch_shape) == tuple(dt.batch_shape)
    assert tuple(de.event_shape) == tuple(dt.event_shape)
    assert de.has_rsample == dt.has_rsample
    assert de.has_enumerate_support == dt.has_enumerate_support
    v = _values(case, rng, P)
    close(de.log_prob(E(v, dtype)), dt.log_prob(T(v, dtype)), dtype, what="log_prob")
    close(de.entropy(), dt.entropy(), dtype, what="entropy")
    close(de.perplexity(), dt.perplexity(), dtype, what="perplexity")
    close(de.mean, dt.mean, dtype, what="mean")
    close(de.variance, dt.variance, dtype, what="variance")
    close(de.stddev, dt.stddev, dtype, what="stddev")
    if case.mode:
        close(de.mode, dt.mode, dtype, what="mode")
    if case.cdf:
        close(de.cdf(E(v, dtype)), dt.cdf(T(v, dtype)), dtype, what="cdf")
    if case.icdf:
        q = rng.uniform(0.01, 0.99, (5,) + B)
        close(de.icdf(E(q, dtype)), dt.icdf(T(q, dtype)), dtype, what="icdf")
    if dt.has_enumerate_support:
        for expand in (True, False):
            close(de.enumerate_support(expand), dt.enumerate_support(expand), dtype)


# cases whose parameters are all Python numbers have no parameter gradient to compare
WITH_TENSOR_PARAMS = [c for c in CASES if c.params(np.random.default_rng(0))]


@pytest.mark.parametrize("case", WITH_TENSOR_PARAMS, ids=repr)
def test_param_gradients_match_torch(case, rng):
    P = case.params(rng)
    de, dt, pe, pt = build_pair(case, P)
    v = _values(case, rng, P)
    w = rng.normal(size=(5,) + tuple(dt.batch_shape))
    we = rng.normal(size=tuple(dt.batch_shape))

    def loss(d, lib, conv):
        out = (d.log_prob(conv(v)) * conv(w)).sum() + (d.entropy() * conv(we)).sum()
        if case.mean:
            out = out + (d.mean * d.variance).sum()
        if case.cdf:
            out = out + d.cdf(conv(v)).sum() if "Gamma" not in case.name else out
        return out

    le = loss(de, ember, E)
    lt = loss(dt, torch, T)
    close(le, lt, what="loss")
    ge = ember.autograd.grad(le, list(pe.values()))
    gt = torch.autograd.grad(lt, list(pt.values()))
    for k, a, b in zip(pe, ge, gt):
        close(a, b, what=f"d loss / d {k}")


def test_gamma_cdf_gradient_wrt_value(rng):
    conc = rng.uniform(0.5, 5, 6)
    x = rng.exponential(2, 6) + 0.1
    xe, xt = E(x, grad=True), T(x, grad=True)
    ye = ember.distributions.Gamma(E(conc), E(2.0)).cdf(xe)
    yt = torch.distributions.Gamma(T(conc), T(2.0)).cdf(xt)
    close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    close(xe.grad, xt.grad)


def test_uniform_outside_support(rng):
    d = ember.distributions.Uniform(E([0.0, 1.0]), E([1.0, 2.0]), validate_args=False)
    t = torch.distributions.Uniform(T([0.0, 1.0]), T([1.0, 2.0]), validate_args=False)
    v = np.array([[-0.5, 1.5], [0.5, 2.5], [1.0, 1.0]])
    close(d.log_prob(E(v)), t.log_prob(T(v)))
    close(d.cdf(E(v)), t.cdf(T(v)))


def test_bernoulli_mode_ties():
    p = np.array([0.2, 0.5, 0.7])
    close(ember.distributions.Bernoulli(E(p)).mode, torch.distributions.Bernoulli(T(p)).mode)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_expand(case, rng):
    P = case.params(rng)
    de, dt, _, _ = build_pair(case, P, grad=False)
    shape = (4,) + tuple(dt.batch_shape)
    ee, et = de.expand(shape), dt.expand(shape)
    assert type(ee) is type(de)
    assert tuple(ee.batch_shape) == tuple(et.batch_shape) == shape
    assert tuple(ee.event_shape) == tuple(et.event_shape)
    v = _values(case, rng, P)[:1]
    close(ee.log_prob(E(v)), et.log_prob(T(v)), what="expanded log_prob")
    close(ee.entropy(), et.entropy(), what="expanded entropy")
    assert tuple(ee.sample((2,)).shape) == tuple(et.sample((2,)).shape)
    assert ee._validate_args == de._validate_args


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_sample_shapes_and_support(case, rng):
    P = case.params(rng)
    de, dt, _, _ = build_pair(case, P, "float32", grad=False)
    for shape in ((), (3,), (2, 1)):
        se, st = de.sample(shape), dt.sample(shape)
        assert tuple(se.shape) == tuple(st.shape)
        assert se.dtype.is_floating_point == st.dtype.is_floating_point
        assert bool(de.support.check(se).all()) if case.name != "Uniform" else True
        if dt.has_rsample:
            assert tuple(de.rsample(shape).shape) == tuple(st.shape)


@pytest.mark.parametrize("case", [c for c in CASES if c.mean], ids=repr)
def test_sample_statistics(case, rng):
    ember.manual_seed(1)
    P = case.params(rng)
    d = case.build(ember.distributions, {k: E(v) for k, v in P.items()})
    n = 20000
    s = d.sample((n,)).numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    se = np.sqrt(var / n)
    assert np.all(np.abs(s.mean(0) - mean) <= 5 * se + 1e-12), (s.mean(0), mean)
    # the sample variance of n draws has standard error about var * sqrt(2 / n) (or more
    # for heavy tails): a 10% bound is loose enough and still catches a wrong scale
    np.testing.assert_allclose(s.var(0), var, rtol=0.1, atol=1e-3)
    if d.has_rsample:
        r = d.rsample((n,)).detach().numpy()
        assert np.all(np.abs(r.mean(0) - mean) <= 5 * se + 1e-12)
        np.testing.assert_allclose(r.var(0), var, rtol=0.1, atol=1e-3)


def test_categorical_sample_frequencies():
    ember.manual_seed(0)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    s = ember.distributions.Categorical(E(p)).sample((20000,)).numpy()
    freq = np.stack([(s == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, p, atol=0.02)


def test_mvn_sample_covariance():
    ember.manual_seed(0)
    cov = np.array([[2.0, 0.6, 0.2], [0.6, 1.0, -0.3], [0.2, -0.3, 0.5]])
    d = ember.distributions.MultivariateNormal(E([1.0, -1.0, 0.0]), covariance_matrix=E(cov))
    s = d.sample((40000,)).numpy()
    np.testing.assert_allclose(np.cov(s.T), cov, atol=0.05)
    close(d.covariance_matrix, torch.tensor(cov))
    close(d.precision_matrix, torch.linalg.inv(torch.tensor(cov)))
    close(d.scale_tril, torch.linalg.cholesky(torch.tensor(cov)))


def test_mvn_batch_broadcasting(rng):
    # loc batched, scale_tril shared (and the other way round), values with extra sample dims
    A = rng.normal(size=(3, 3))
    L = np.tril(A) + 3 * np.eye(3)
    loc = rng.normal(size=(4, 1, 3))
    Ls = np.stack([L, 2 * L])
    de = ember.distributions.MultivariateNormal(E(loc), scale_tril=E(Ls))
    dt = torch.distributions.MultivariateNormal(T(loc), scale_tril=T(Ls))
    assert tuple(de.batch_shape) == (4, 2)
    v = rng.normal(size=(6, 4, 2, 3))
    close(de.log_prob(E(v)), dt.log_prob(T(v)))
    close(de.entropy(), dt.entropy())
    close(de.variance, dt.variance)


def test_mvn_scale_tril_upper_part_ignored(rng):
    # torch's triangular solve ignores (and gives no gradient to) the strict upper part
    L = np.tril(rng.normal(size=(3, 3))) + 3 * np.eye(3)
    v = rng.normal(size=(5, 3))
    le = E(L, grad=True)
    lt = T(L, grad=True)
    ye = ember.distributions.MultivariateNormal(E(np.zeros(3)), scale_tril=le).log_prob(E(v))
    yt = torch.distributions.MultivariateNormal(T(np.zeros(3)), scale_tril=lt).log_prob(T(v))
    close(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    close(le.grad, lt.grad)


def test_independent_properties(rng):
    base = ember.distributions.Normal(E(rng.normal(size=(2, 3))), E(np.ones((2, 3))))
    d = ember.distributions.Independent(base, 1)
    assert repr(d).startswith("Independent(Normal(")
    assert d.support.event_dim == 1
    assert d.has_rsample and not d.has_enumerate_support
    b = ember.distributions.Independent(ember.distributions.Bernoulli(E([0.3, 0.6])), 0)
    assert b.has_enumerate_support
    assert tuple(b.enumerate_support().shape) == (2, 2)
    with pytest.raises(NotImplementedError):
        ember.distributions.Independent(ember.distributions.Bernoulli(E([0.3, 0.6])),
                                        1).enumerate_support()


def test_straight_through_gradient(rng):
    p = rng.uniform(0.1, 1, (2, 3))
    pe, pt = E(p, grad=True), T(p, grad=True)
    ember.manual_seed(0)
    se = ember.distributions.OneHotCategoricalStraightThrough(probs=pe).rsample((4,))
    st = torch.distributions.OneHotCategoricalStraightThrough(probs=pt).rsample((4,))
    w = rng.normal(size=(4, 2, 3))
    (se * E(w)).sum().backward()
    (st * T(w)).sum().backward()
    close(pe.grad, pt.grad)
    assert bool(((se.detach() == 0) | (se.detach() == 1)).all())


def test_reproducible_with_manual_seed():
    d = ember.distributions.Gamma(E([0.5, 2.0]), E([1.0, 1.0]))
    ember.manual_seed(3)
    a = d.sample((4,)).numpy()
    ember.manual_seed(3)
    np.testing.assert_array_equal(a, d.sample((4,)).numpy())


def test_constraints_check_matches_torch(rng):
    import torch.distributions.constraints as TC

    import ember.distributions.constraints as EC
    x = rng.normal(size=(4, 3, 3))
    x[0] = np.tril(np.abs(x[0]) + 0.1)
    x[1] = x[1] @ x[1].T + np.eye(3)
    x[2] = np.eye(3) / 3
    x = np.where(rng.uniform(size=x.shape) < 0.1, np.round(x), x)
    names = ["real", "positive", "nonnegative", "unit_interval", "boolean", "simplex",
             "lower_triangular", "lower_cholesky", "positive_definite", "symmetric",
             "square", "real_vector", "nonnegative_integer", "positive_semidefinite",
             "one_hot"]
    for n in names:
        close(getattr(EC, n).check(E(x)), getattr(TC, n).check(T(x)), what=n)
        assert repr(getattr(EC, n)) == repr(getattr(TC, n))
        assert getattr(EC, n).event_dim == getattr(TC, n).event_dim
        assert getattr(EC, n).is_discrete == getattr(TC, n).is_discrete
    for ec, tc in [(EC.interval(-0.5, 0.5), TC.interval(-0.5, 0.5)),
                   (EC.half_open_interval(-0.5, 0.5), TC.half_open_interval(-0.5, 0.5)),
                   (EC.integer_interval(0, 2), TC.integer_interval(0, 2)),
                   (EC.greater_than(0.3), TC.greater_than(0.3)),
                   (EC.greater_than_eq(0.3), TC.greater_than_eq(0.3)),
                   (EC.less_than(0.3), TC.less_than(0.3)),
                   (EC.independent(EC.positive, 2), TC.independent(TC.positive, 2))]:
        close(ec.check(E(x)), tc.check(T(x)), what=repr(tc))
        assert repr(ec) == repr(tc)
    assert EC.is_dependent(EC.dependent) and not EC.is_dependent(EC.real)
    with pytest.raises(ValueError):
        EC.dependent.check(E(x))
