"""Random sampling: generators and RNG state, reproducibility, shapes/dtypes and errors as
torch, distribution statistics, in-place samplers, fill_/zero_/copy_ (with gradients)."""
import warnings

import numpy as np
import pytest
import torch

import ember

N = 200_000  # statistical samples: mean/var to a few 1e-3


def _dtype_name(d):
    return str(d).split(".")[-1]


def _both(fn):
    """fn(module) for torch and ember: same shape and dtype, or the same exception type."""
    outs = []
    for mod in (torch, ember):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outs.append(fn(mod))
        except Exception as exc:  # noqa: BLE001
            outs.append(exc)
    t, e = outs
    if isinstance(t, Exception):
        assert isinstance(e, Exception) and type(e) is type(t), (t, e)
        return None
    assert not isinstance(e, Exception), e
    if isinstance(t, torch.Tensor):
        assert tuple(e.shape) == tuple(t.shape)
        assert e.dtype.name == _dtype_name(t.dtype)
        assert e.requires_grad == t.requires_grad
        assert (e.grad_fn is None) == (t.grad_fn is None)
    return e


SAMPLERS = {
    "rand": lambda m, **kw: m.rand(3, 4, **kw),
    "randn": lambda m, **kw: m.randn((2, 3), **kw),
    "randint": lambda m, **kw: m.randint(0, 10, (5,), **kw),
    "randint_high": lambda m, **kw: m.randint(7, (2, 2), **kw),
    "randperm": lambda m, **kw: m.randperm(9, **kw),
    "rand_like": lambda m, **kw: m.rand_like(m.ones(2, 3), **kw),
    "randn_like": lambda m, **kw: m.randn_like(m.ones(2, 3), **kw),
    "randint_like": lambda m, **kw: m.randint_like(m.ones(4), 3, 9, **kw),
    "normal_ff": lambda m, **kw: m.normal(2., 3., (4, 2), **kw),
    "normal_tf": lambda m, **kw: m.normal(m.arange(4.), 2., **kw),
    "normal_ft": lambda m, **kw: m.normal(1., m.arange(1., 5.), **kw),
    "normal_tt": lambda m, **kw: m.normal(m.zeros(3, 1), m.ones(4), **kw),
    "bernoulli": lambda m, **kw: m.bernoulli(m.full((6,), 0.3), **kw),
    "bernoulli_p": lambda m, **kw: m.bernoulli(m.ones(6), 0.5, **kw),
    "multinomial": lambda m, **kw: m.multinomial(m.tensor([[1., 2, 3], [0, 1, 1]]), 2, **kw),
    "multinomial_r": lambda m, **kw: m.multinomial(m.tensor([1., 2, 3]), 10, True, **kw),
    "poisson": lambda m, **kw: m.poisson(m.full((5,), 4.), **kw),
    "uniform_": lambda m, **kw: m.empty(5).uniform_(-2, 3, **kw),
    "normal_": lambda m, **kw: m.empty(5).normal_(1, 2, **kw),
    "random_": lambda m, **kw: m.empty(5, dtype=m.int32).random_(**kw),
    "random_to": lambda m, **kw: m.empty(5).random_(10, **kw),
    "random_ft": lambda m, **kw: m.empty(5, dtype=m.int64).random_(-3, 3, **kw),
    "bernoulli_": lambda m, **kw: m.empty(5).bernoulli_(0.25, **kw),
    "bernoulli_t": lambda m, **kw: m.empty(5).bernoulli_(m.full((5,), 0.5), **kw),
    "exponential_": lambda m, **kw: m.empty(5).exponential_(2., **kw),
    "geometric_": lambda m, **kw: m.empty(5).geometric_(0.3, **kw),
    "cauchy_": lambda m, **kw: m.empty(5).cauchy_(**kw),
    "log_normal_": lambda m, **kw: m.empty(5).log_normal_(**kw),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sampler_meta_reproducibility_and_generator(name):
    fn = SAMPLERS[name]
    _both(fn)
    ember.manual_seed(123)
    a = fn(ember).numpy()
    ember.manual_seed(123)
    b = fn(ember).numpy()
    np.testing.assert_array_equal(a, b)
    # a private generator: reproducible and leaves the global stream alone
    ember.manual_seed(5)
    g = ember.Generator().manual_seed(7)
    c = fn(ember, generator=g).numpy()
    after = ember.rand(3).numpy()
    ember.manual_seed(5)
    np.testing.assert_array_equal(after, ember.rand(3).numpy())
    g.manual_seed(7)
    np.testing.assert_array_equal(c, fn(ember, generator=g).numpy())


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64", "uint8",
                                   "bool", "complex64"])
def test_factory_dtypes(dtype):
    for fn in (lambda m, d: m.rand(3, dtype=d), lambda m, d: m.randn(3, dtype=d),
               lambda m, d: m.randint(0, 2, (3,), dtype=d), lambda m, d: m.randperm(3, dtype=d),
               lambda m, d: m.normal(0., 1., (3,), dtype=d),
               lambda m, d: m.rand(2, dtype=d, requires_grad=True),
               lambda m, d: m.randn_like(m.ones(2, dtype=d)),
               lambda m, d: m.empty(3, dtype=d).uniform_(),
               lambda m, d: m.empty(3, dtype=d).normal_(),
               lambda m, d: m.empty(3, dtype=d).exponential_(),
               lambda m, d: m.empty(3, dtype=d).log_normal_(),
               lambda m, d: m.empty(3, dtype=d).bernoulli_(),
               lambda m, d: m.empty(3, dtype=d).random_(2)):
        _both(lambda m: fn(m, getattr(m, dtype)))


ERRORS = [
    lambda m: m.randint(5, 5, (2,)), lambda m: m.randint(3, 10), lambda m: m.randperm(-1),
    lambda m: m.normal(0., -1., (2,)), lambda m: m.normal(m.zeros(2), -1.),
    lambda m: m.normal(0., 1.), lambda m: m.bernoulli(m.full((3,), 2.)),
    lambda m: m.bernoulli(m.ones(3, dtype=m.int64)),
    lambda m: m.multinomial(m.tensor([1., -1]), 1), lambda m: m.multinomial(m.zeros(2), 1),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1), lambda m: m.multinomial(m.ones(3), 0),
    lambda m: m.multinomial(m.ones(3), 4), lambda m: m.multinomial(m.ones(3, dtype=m.int64), 1),
    lambda m: m.poisson(m.tensor([-1.])), lambda m: m.zeros(2).uniform_(2, 1),
    lambda m: m.zeros(2).normal_(0, -1), lambda m: m.zeros(2).geometric_(0),
    lambda m: m.zeros(2).geometric_(1.5), lambda m: m.zeros(2).exponential_(-1),
    lambda m: m.zeros(2, dtype=m.int64).exponential_(), lambda m: m.zeros(2).random_(5, 3),
    lambda m: m.zeros(3, dtype=m.uint8).random_(300), lambda m: m.zeros(2).bernoulli_(2.),
    lambda m: m.zeros(2).log_normal_(1, -1), lambda m: m.zeros(2).fill_(m.ones(2)),
    lambda m: m.zeros(2).copy_(m.ones(3)), lambda m: m.zeros(2, 3).copy_(m.ones(3, 1)),
    lambda m: m.ones(2, requires_grad=True).normal_(),
    lambda m: m.ones(2, requires_grad=True).fill_(1.), lambda m: m.set_rng_state([1]),
    lambda m: m.set_rng_state(m.zeros(3)), lambda m: m.set_rng_state(m.zeros(3, dtype=m.uint8)),
    lambda m: m.manual_seed(2 ** 64),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    assert _both(ERRORS[k]) is None


def test_seeds_and_generators():
    assert isinstance(ember.manual_seed(3), ember.Generator)
    assert ember.manual_seed(3) is ember.default_generator
    assert ember.initial_seed() == 3
    assert ember.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert ember.manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    assert ember.manual_seed(1.5).initial_seed() == torch.manual_seed(1.5).initial_seed()
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()
    s = ember.seed()
    assert ember.initial_seed() == s and 0 <= s < 2 ** 64
    g = ember.Generator(device="cpu")
    assert g.device == ember.device("cpu")
    s2 = g.seed()
    assert g.initial_seed() == s2
    if not ember.cuda.is_available():
        with pytest.raises(AssertionError):
            ember.Generator("cuda")


def test_rng_state_round_trip():
    ember.manual_seed(0)
    ember.rand(7)
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8 and state.ndim == 1
    a = [ember.rand(5).numpy(), ember.randn(3).numpy(), ember.randint(0, 100, (4,)).numpy(),
         ember.empty(3).normal_().numpy()]
    ember.set_rng_state(state)
    b = [ember.rand(5).numpy(), ember.randn(3).numpy(), ember.randint(0, 100, (4,)).numpy(),
         ember.empty(3).normal_().numpy()]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # the state is a snapshot: modifying the stream afterwards does not change it
    state2 = ember.get_rng_state()
    ember.rand(10)
    ember.set_rng_state(state2)
    g = ember.Generator()
    g.set_state(state2)
    np.testing.assert_array_equal(g.get_state().numpy(), state2.numpy())
    np.testing.assert_array_equal(ember.rand(4, generator=g).numpy(), ember.rand(4).numpy())
    import pickle
    g2 = pickle.loads(pickle.dumps(g))
    np.testing.assert_array_equal(ember.rand(4, generator=g2).numpy(),
                                  ember.rand(4, generator=g).numpy())


def _stats(x):
    x = x.numpy().astype(np.float64)
    return x.mean(), x.var()


def test_distribution_statistics():
    ember.manual_seed(0)
    m, v = _stats(ember.rand(N))
    assert abs(m - 0.5) < 5e-3 and abs(v - 1 / 12) < 3e-3
    u = ember.rand(N, dtype=ember.float16).numpy()
    assert u.min() >= 0 and u.max() < 1
    m, v = _stats(ember.randn(N, dtype=ember.float64))
    assert abs(m) < 1e-2 and abs(v - 1) < 2e-2
    c = ember.randn(N, dtype=ember.complex64).numpy()
    assert abs(np.var(c) - 1) < 2e-2
    m, v = _stats(ember.normal(2., 3., (N,)))
    assert abs(m - 2) < 3e-2 and abs(v - 9) < 0.2
    x = ember.empty(N).uniform_(-2, 3).numpy()
    assert x.min() >= -2 and x.max() < 3 and abs(x.mean() - 0.5) < 2e-2
    r = ember.randint(-3, 4, (N,)).numpy()
    assert r.min() == -3 and r.max() == 3 and abs(r.mean()) < 2e-2
    m, v = _stats(ember.empty(N).exponential_(2.))
    assert abs(m - 0.5) < 1e-2 and abs(v - 0.25) < 1e-2
    g = ember.empty(N).geometric_(0.25).numpy()
    assert g.min() >= 1 and abs(g.mean() - 4) < 0.1 and np.all(g == np.round(g))
    m, v = _stats(ember.poisson(ember.full((N,), 4.)))
    assert abs(m - 4) < 3e-2 and abs(v - 4) < 0.1
    b = ember.bernoulli(ember.full((N,), 0.3)).numpy()
    assert set(np.unique(b)) <= {0., 1.} and abs(b.mean() - 0.3) < 1e-2
    b = ember.empty(N).bernoulli_(0.7).numpy()
    assert abs(b.mean() - 0.7) < 1e-2
    ln = np.log(ember.empty(N, dtype=ember.float64).log_normal_(1, 0.5).numpy())
    assert abs(ln.mean() - 1) < 1e-2 and abs(ln.std() - 0.5) < 1e-2
    cy = ember.empty(N).cauchy_(1., 2.).numpy()
    assert abs(np.median(cy) - 1) < 5e-2
    assert abs(np.percentile(cy, 75) - np.percentile(cy, 25) - 4) < 0.15
    ri = ember.empty(N, dtype=ember.uint8).random_().numpy()
    assert ri.min() == 0 and ri.max() == 255
    rb = ember.empty(1000, dtype=ember.bool).random_().numpy()
    assert rb.any() and not rb.all()
    rf = ember.empty(N).random_().numpy()
    assert rf.min() >= 0 and rf.max() <= 2 ** 24 and np.all(rf == np.round(rf))
    p = ember.randperm(1000).numpy()
    assert sorted(p.tolist()) == list(range(1000))
    nt = ember.normal(ember.tensor([[0.], [100.]]).expand(2, N // 2),
                      ember.tensor([[1.], [0.]])).numpy()
    assert abs(nt[0].mean()) < 2e-2 and np.all(nt[1] == 100.)


def test_multinomial():
    ember.manual_seed(0)
    w = ember.tensor([[0., 10., 3., 0.], [1., 1., 1., 1.]])
    s = ember.multinomial(w, 2).numpy()
    assert sorted(s[0].tolist()) == [1, 2]
    assert all(len(set(row)) == 2 for row in s.tolist())
    s = ember.multinomial(ember.tensor([1., 2., 7.]), N, replacement=True).numpy()
    freq = np.bincount(s, minlength=3) / N
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=1e-2)
    s = ember.multinomial(ember.ones(5), 5).numpy()
    assert sorted(s.tolist()) == [0, 1, 2, 3, 4]
    # the first draw without replacement follows the weights
    firsts = np.array([ember.multinomial(ember.tensor([1., 3.]), 2).numpy()[0]
                       for _ in range(2000)])
    assert abs(firsts.mean() - 0.75) < 0.05


def test_normal_and_bernoulli_record_zero_gradients():
    for mod in (torch, ember):
        mean = mod.zeros(3, requires_grad=True)
        std = mod.ones(3, requires_grad=True)
        p = mod.full((3,), 0.5, requires_grad=True)
        rate = mod.full((3,), 2., requires_grad=True)
        out = mod.normal(mean, std).sum() + mod.normal(mean, 2.).sum() + \
            mod.normal(0., std).sum() + mod.bernoulli(p).sum() + mod.poisson(rate).sum()
        out.backward()
        for t in (mean, std, p, rate):
            assert t.grad.tolist() == [0., 0., 0.]


def test_fill_zero_copy():
    for fill in (2, 2.7, True, -1.5):
        for dtype in ("float32", "int64", "bool", "float16"):
            e = _both(lambda m: m.zeros(3, dtype=getattr(m, dtype)).fill_(fill))
            t = torch.zeros(3, dtype=getattr(torch, dtype)).fill_(fill)
            assert e.tolist() == t.tolist()
    e = ember.ones(2, 2)
    assert e.fill_(ember.tensor(4.)) is e and e.tolist() == [[4., 4.], [4., 4.]]
    assert e.zero_() is e and e.tolist() == [[0., 0.], [0., 0.]]
    for src in ([1, 2, 3], [[1.5], [2.5]], 7.25, [True, False, True]):
        e = _both(lambda m: m.zeros(2, 3).copy_(m.tensor(src)))
        t = torch.zeros(2, 3).copy_(torch.tensor(src))
        assert e.tolist() == t.tolist()
        e = _both(lambda m: m.zeros(2, 3, dtype=m.int32).copy_(m.tensor(src)))
    x = ember.zeros(4)
    v = x.numpy()
    x.copy_(ember.arange(4))
    assert v.tolist() == [0., 1., 2., 3.]
    assert x._version > 0


def test_inplace_grads_match_torch():
    res = {}
    for mod in (torch, ember):
        a = mod.tensor([1., 2., 3.], requires_grad=True)
        src = mod.tensor([[4.], [5.]], requires_grad=True)
        val = mod.tensor(2., requires_grad=True)
        y = (a * 2).expand(2, 3) * 1
        y.copy_(src)
        z = (a * 3) * 1
        z.fill_(val)
        w = (a * 1)
        w.normal_()
        assert w.grad_fn is not None
        (y * mod.tensor([[1., 2., 3.]])).sum().backward(retain_graph=True)
        (z * 5).sum().backward()
        (w * 1).sum().backward()
        res[mod] = [a.grad.tolist(), src.grad.tolist(), val.grad.tolist()]
        assert y.grad_fn is not None and z.grad_fn is not None
    assert res[torch] == res[ember]
    # copy_ of a tensor requiring grad into a plain tensor records the copy
    e = ember.zeros(3).copy_(ember.ones(3, requires_grad=True))
    t = torch.zeros(3).copy_(torch.ones(3, requires_grad=True))
    assert e.requires_grad == t.requires_grad and (e.grad_fn is None) == (t.grad_fn is None)
    with ember.no_grad():
        p = ember.ones(3, requires_grad=True)
        p.uniform_(-1, 1)
        p.zero_()
        p.copy_(ember.ones(3))
    assert p.is_leaf and p.tolist() == [1., 1., 1.]
