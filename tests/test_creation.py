"""Tensor creation and conversion, against torch: dtype inference, memory sharing, factories,
ranges, DLPack, to()/clone()/contiguous()."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _same(e, t, rtol=None):
    """Same dtype, shape and values (values to rtol for floats, exact otherwise)."""
    assert isinstance(e, ember.Tensor)
    assert e.dtype.name == str(t.dtype).split(".")[1], (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    a, b = e.detach().numpy(), t.detach().numpy()
    if rtol is None or a.dtype.kind not in "fc":
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)


def _both(fn):
    """fn(module) for torch and ember: equal results, or the same exception type."""
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
        return None, None
    assert not isinstance(e, Exception), e
    return e, t


def _wrap(x, mod):
    """Nested data where ("T", v) stands for mod.tensor(v)."""
    if isinstance(x, list):
        return [_wrap(v, mod) for v in x]
    if isinstance(x, tuple) and x and x[0] == "T":
        return mod.tensor(x[1])
    return x


DATA = [
    [1, 2], [1., 2], [True, False], [True, 1], [True, 1.5], [1, 2j], [[1, 2], [3, 4.]], 3, 3.5,
    True, 2j, [], [[]], [[], []], np.float32(1.5), np.int32(3), np.bool_(True), np.float16(2),
    [np.float32(1.5), 2.], [np.int32(1), 2], [np.float32(1.5)], [np.int32(1)],
    np.array([1, 2], np.int32), np.array([1., 2.], np.float32), np.array([1, 2], np.uint8),
    np.array([[1., 2.]]).T, [("T", 1.5), ("T", 2.)], [("T", 1), ("T", 2)], [("T", 1), 2.5],
    [("T", 1.5), 2], [[("T", 1.)]], [("T", [1])], (1, 2), ((1.,), (2.,)), [1, np.float64(2)],
    [np.float64(2)], np.float64(2), [1e40], [np.int8(3), np.uint8(3)], [np.float16(1), 1],
    [np.array([1, 2], np.int32), np.array([1, 2], np.int32)], [[1, 2], np.array([1, 2], np.int8)],
    range(4), [-2 ** 63], [1, None],
    # errors
    [[1, 2], [3]], [1, [2]], None, "abc", [("T", [1, 2]), ("T", [3, 4])], [2 ** 63],
]


@pytest.mark.parametrize("i", range(len(DATA)))
def test_tensor_dtype_inference(i):
    e, t = _both(lambda m: m.tensor(_wrap(DATA[i], m)))
    if t is not None:
        _same(e, t)
        assert e.is_leaf and not e.requires_grad


@pytest.mark.parametrize("dtype", ["float16", "float64", "int32", "uint8", "bool", "complex64"])
def test_tensor_with_dtype(dtype):
    for data in ([1.7, -1.2, 0.], [[1, 0], [2, 3]], np.array([1.5, 2.5]), 3, [True]):
        if dtype == "uint8" and np.any(np.asarray(data) < 0):
            continue
        e, t = _both(lambda m: m.tensor(data, dtype=getattr(m, dtype)))
        if t is not None:
            _same(e, t)
    _both(lambda m: m.tensor([300], dtype=m.uint8))


def test_tensor_copies_and_requires_grad():
    a = np.arange(3.)
    e = ember.tensor(a)
    a[0] = 9.
    assert e.tolist() == [0., 1., 2.]
    src = ember.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = ember.tensor(src)
    assert not c.requires_grad and not np.shares_memory(c.numpy(), src.detach().numpy())
    r = ember.tensor([1., 2.], requires_grad=True)
    assert r.requires_grad and r.is_leaf
    _both(lambda m: m.tensor([1, 2], requires_grad=True))
    e, t = _both(lambda m: m.tensor([1, 2], dtype=m.float32, requires_grad=True))
    assert e.requires_grad


def test_as_tensor_and_asarray_share_memory():
    a = np.arange(4.)
    for fn in (ember.as_tensor, ember.asarray, ember.from_numpy):
        e = fn(a)
        assert np.shares_memory(e.numpy(), a)
        assert e.dtype is ember.float64
    assert not np.shares_memory(ember.as_tensor(a, dtype=ember.float32).numpy(), a)
    t = ember.ones(2, requires_grad=True)
    assert ember.as_tensor(t) is t
    assert ember.asarray(t) is t
    c = ember.asarray(t, copy=True)
    assert c is not t and c.grad_fn is not None
    e, tt = _both(lambda m: m.asarray(m.ones(2, requires_grad=True), dtype=m.float64))
    assert e.grad_fn is not None
    _both(lambda m: m.asarray(np.arange(3.), copy=False, dtype=m.float32))
    _both(lambda m: m.asarray([1, 2], requires_grad=True))
    e, t = _both(lambda m: m.asarray(np.arange(3.), requires_grad=True))
    assert e.requires_grad
    for obj in ([1, 2], 2.5, np.float32(2), [[1.5]]):
        e, t = _both(lambda m: m.as_tensor(obj))
        _same(e, t)
        e, t = _both(lambda m: m.asarray(obj))
        _same(e, t)


def test_from_numpy():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    e = ember.from_numpy(a)
    e.numpy()[0, 0] = 7
    assert a[0, 0] == 7
    for bad in (np.arange(3)[::-1], np.array([1], object), [1], np.array(["a"])):
        _both(lambda m: m.from_numpy(bad))
    nc = np.arange(12.).reshape(3, 4)[:, ::2]
    e, t = _both(lambda m: m.from_numpy(nc))
    assert e.stride() == t.stride()


SIZE_FORMS = [(2, 3), ((2, 3),), ([2, 3],), (torch.Size([2, 3]),), (), ((),), (0,), (4,),
              (2.5,), (-1, 2), ((2,), (3,))]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_filled_factories(name):
    for size in SIZE_FORMS:
        size_e = tuple(ember.Size(s) if isinstance(s, torch.Size) else s for s in size)
        e, t = _both(lambda m: getattr(m, name)(*(size if m is torch else size_e)))
        if t is not None:
            assert e.dtype is ember.float32 and tuple(e.shape) == tuple(t.shape)
            if name != "empty":
                _same(e, t)
    e, t = _both(lambda m: getattr(m, name)(size=(2, 3), dtype=m.int32))
    assert e.dtype is ember.int32 and e.shape == (2, 3)
    e, t = _both(lambda m: getattr(m, name)(m.tensor(3), dtype=m.float64))
    assert e.shape == (3,)
    e, t = _both(lambda m: getattr(m, name)(2, requires_grad=True))
    assert e.requires_grad and e.is_leaf


@pytest.mark.parametrize("fill", [1.5, 2, True, 2 + 1j, -0.0, float("inf"), 0, 1])
def test_full_infers_dtype(fill):
    e, t = _both(lambda m: m.full((2, 3), fill))
    _same(e, t)
    e, t = _both(lambda m: m.full((2,), fill, dtype=m.float64))
    if t is not None:
        _same(e, t)
    e, t = _both(lambda m: m.full((2,), m.tensor(fill)))
    _same(e, t)
    _both(lambda m: m.full(3, fill))


def test_like_factories():
    src_e, src_t = ember.ones(2, 3, dtype=ember.int32), torch.ones(2, 3, dtype=torch.int32)
    for name in ("zeros_like", "ones_like", "empty_like"):
        e, t = getattr(ember, name)(src_e), getattr(torch, name)(src_t)
        assert e.dtype is ember.int32 and e.shape == (2, 3)
        if name != "empty_like":
            _same(e, t)
        e = getattr(ember, name)(src_e, dtype=ember.float64, requires_grad=True)
        assert e.dtype is ember.float64 and e.requires_grad
    _same(ember.full_like(src_e, 2.7), torch.full_like(src_t, 2.7))
    _same(ember.full_like(src_e, 2.7, dtype=ember.float16),
          torch.full_like(src_t, 2.7, dtype=torch.float16))


ARANGE = [(5,), (0, 5), (1, 10, 3), (10, 0, -3), (5.5,), (0, 1, 0.1), (-1., 1., 0.3),
          (1, 2.5, 0.5), (0, 1, 1 / 3), (0., 10., 0.7), (-5, 5, 1.25), (0.1, 0.9, 0.2),
          (1e-3, 1, 1e-2), (0, -1, -0.05), (3, 3), (0, 1, 0), (1, 0), (0, 1, -1), (2, 7, 2),
          (1e6, 1e6 + 5, 0.5), (-2 ** 40, -2 ** 40 + 10, 3)]


@pytest.mark.parametrize("args", ARANGE)
def test_arange(args):
    e, t = _both(lambda m: m.arange(*args))
    if t is not None:
        _same(e, t, rtol=1e-6)
    for dtype in ("float64", "int64", "int32", "float16"):
        e, t = _both(lambda m: m.arange(*args, dtype=getattr(m, dtype)))
        if t is not None:
            _same(e, t, rtol=1e-3 if dtype == "float16" else 1e-7)
    e, t = _both(lambda m: m.arange(*[m.tensor(a) for a in args]))
    if t is not None:
        _same(e, t, rtol=1e-6)


def test_range_deprecated():
    for args in [(1, 4), (0, 1, 0.25), (4, 1, -1), (0, 2, 0.3)]:
        with pytest.warns(UserWarning):
            e = ember.range(*args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _same(e, torch.range(*args), rtol=1e-6)
            _same(ember.range(*args, dtype=ember.float64), torch.range(*args, dtype=torch.float64),
                  rtol=1e-12)


LINSPACE = [(0, 1, 5), (3, 10, 5), (-1, 1, 7), (0, 1, 1), (0, 1, 0), (2, -3, 11),
            (0, 10, 5), (0.1, 1.7, 1000), (-1e3, 1e3, 333), (1e-3, 1, 64), (0, 1, -1),
            (5, 5, 4), (1j, 2, 3)]


@pytest.mark.parametrize("args", LINSPACE)
def test_linspace_logspace(args):
    scale = max(abs(args[0]), abs(args[1]), 1)
    e, t = _both(lambda m: m.linspace(*args))
    if t is not None:
        assert e.dtype.name == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6 * scale)
    if isinstance(args[0], complex):
        return
    for dtype, rtol in (("float64", 1e-7), ("float32", 1e-6), ("int64", None)):
        e, t = _both(lambda m: m.linspace(*args, dtype=getattr(m, dtype)))
        if t is not None and dtype == "int64":
            # torch truncates start + i * step computed in double; allow 1 on exact ties
            assert e.shape == t.shape and np.abs(e.numpy() - t.numpy()).max(initial=0) <= 1
        elif t is not None and dtype == "float32":
            # torch computes float32 in float32 SIMD blocks (results depend on the vector
            # width): compare to float32 resolution of the range
            np.testing.assert_allclose(
                e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6 * scale)
        elif t is not None:
            _same(e, t, rtol=rtol)
    small = tuple(a / 100 if isinstance(a, (int, float)) and i < 2 else a
                  for i, a in enumerate(args))
    for base in (10., 2.):
        e, t = _both(lambda m: m.logspace(*small, base=base, dtype=m.float64))
        if t is not None:
            _same(e, t, rtol=1e-7)
        e, t = _both(lambda m: m.logspace(*small, base=base))
        if t is not None:
            _same(e, t, rtol=1e-5)
    e, t = _both(lambda m: m.linspace(m.tensor(float(args[0])), args[1], args[2]))
    if t is not None:
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6 * scale)


def test_eye_empty_strided_scalar_tensor():
    for args in [(3,), (2, 4), (4, 2), (0,), (-1,), (2, -1)]:
        e, t = _both(lambda m: m.eye(*args))
        if t is not None:
            _same(e, t)
        e, t = _both(lambda m: m.eye(*args, dtype=m.int64))
        if t is not None:
            _same(e, t)
    for size, stride in [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4,), (2,)), ((2, 0), (1, 1)),
                         ((3, 2), (0, 1))]:
        e, t = ember.empty_strided(size, stride), torch.empty_strided(size, stride)
        assert e.shape == tuple(t.shape) and e.stride() == t.stride() and e.dtype is ember.float32
    for s in (3, True, 2.5, ember.tensor(4)):
        st = torch.tensor(4) if isinstance(s, ember.Tensor) else s
        _same(ember.scalar_tensor(s), torch.scalar_tensor(st))
        _same(ember.scalar_tensor(s, dtype=ember.int32), torch.scalar_tensor(st, dtype=torch.int32))


def test_out_argument():
    for fn in (lambda m, o: m.zeros(2, 3, out=o), lambda m, o: m.arange(5, out=o),
               lambda m, o: m.linspace(0, 1, 4, out=o)):
        oe, ot = ember.empty(0), torch.empty(0)
        assert fn(ember, oe) is oe
        fn(torch, ot)
        _same(oe, ot, rtol=1e-6)


def test_dlpack_round_trips():
    # ember -> numpy and numpy -> ember share memory
    e = ember.arange(6.).reshape(2, 3)
    a = np.from_dlpack(e)
    a[0, 0] = 5.
    assert e.tolist()[0][0] == 5.
    n = np.arange(4, dtype=np.int32)
    f = ember.from_dlpack(n)
    assert f.dtype is ember.int32 and np.shares_memory(f.numpy(), n)
    # torch <-> ember share memory both ways
    t = torch.arange(6.).reshape(2, 3)
    et = ember.from_dlpack(t)
    t[1, 2] = -1.
    assert et.tolist() == t.tolist() and et.dtype is ember.float32
    te = torch.from_dlpack(ember.ones(3, dtype=ember.float64))
    assert te.dtype is torch.float64 and te.tolist() == [1., 1., 1.]
    tb = torch.from_dlpack(ember.tensor([True, False]))
    assert tb.tolist() == [True, False]
    # a capsule
    cap = torch.arange(3).__dlpack__()
    assert ember.from_dlpack(cap).tolist() == [0, 1, 2]
    assert ember.from_dlpack(e) is e


TO_FORMS = [
    lambda m, t: t.to(m.float64), lambda m, t: t.to(m.float32), lambda m, t: t.to("cpu"),
    lambda m, t: t.to(m.device("cpu")), lambda m, t: t.to("cpu", m.int32),
    lambda m, t: t.to(device="cpu", dtype=m.float16), lambda m, t: t.to(dtype=m.int8),
    lambda m, t: t.to(m.ones(1, dtype=m.float64)), lambda m, t: t.to(m.float64, False, True),
    lambda m, t: t.to("cpu", m.float64, True, True), lambda m, t: t.to(m.int64, non_blocking=True),
    lambda m, t: t.to(float), lambda m, t: t.to(bool), lambda m, t: t.to(copy=True),
    lambda m, t: t.to(m.float32, copy=True), lambda m, t: t.to("float64"),
    lambda m, t: t.double(), lambda m, t: t.float(), lambda m, t: t.half(),
    lambda m, t: t.long(), lambda m, t: t.int(), lambda m, t: t.bool(), lambda m, t: t.cpu(),
    lambda m, t: t.type(m.float64), lambda m, t: t.type("torch.ShortTensor"),
    lambda m, t: t.type_as(m.ones(1, dtype=m.int16)), lambda m, t: t.cfloat(),
]


@pytest.mark.parametrize("k", range(len(TO_FORMS)))
def test_to_forms(k):
    fn = TO_FORMS[k]
    src = {}

    def run(m):
        src[m] = m.tensor([[1.5, -2.], [0., 3.]], requires_grad=True)
        return fn(m, src[m])
    e, t = _both(run)
    if t is None:
        return
    _same(e, t)
    assert (e is src[ember]) == (t is src[torch])
    assert e.requires_grad == t.requires_grad
    assert (e.grad_fn is None) == (t.grad_fn is None)
    if t.grad_fn is not None:
        assert e.grad_fn.name() == t.grad_fn.name()
        g = np.arange(4.).reshape(2, 2)
        e.backward(ember.tensor(g, dtype=e.dtype))
        t.backward(torch.tensor(g, dtype=t.dtype))
        _same(src[ember].grad, src[torch].grad)


def test_clone_and_contiguous():
    base_e = ember.arange(12.).reshape(3, 4).requires_grad_()
    base_t = torch.arange(12.).reshape(3, 4).requires_grad_()
    e, t = base_e.T, base_t.T
    for f in (lambda x: x.clone(), lambda x: x.contiguous(),
              lambda x: ember.clone(x) if isinstance(x, ember.Tensor) else torch.clone(x)):
        re_, rt = f(e), f(t)
        assert re_.stride() == rt.stride() and re_.is_contiguous() == rt.is_contiguous()
        assert re_.grad_fn.name() == rt.grad_fn.name()
        _same(re_, rt)
    c = base_e.clone()
    assert not np.shares_memory(c.detach().numpy(), base_e.detach().numpy())
    assert base_e.contiguous() is base_e
    (base_e.T.contiguous() * ember.arange(12.).reshape(4, 3)).sum().backward()
    (base_t.T.contiguous() * torch.arange(12.).reshape(4, 3)).sum().backward()
    _same(base_e.grad, base_t.grad)
