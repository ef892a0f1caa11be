"""The Tensor's own behaviour: metadata, conversions, Python protocols and repr, vs torch."""
import numpy as np
import pytest
import torch

import ember


@pytest.fixture
def torch_names():
    old = ember.dtypes._torch_names
    ember.dtypes._torch_names = True
    yield
    ember.dtypes._torch_names = old


def _pair(arr):
    return ember.from_numpy(np.array(arr, copy=True)), torch.from_numpy(np.array(arr, copy=True))


MAKERS = {
    "vec": lambda m: m.tensor([1.5, 2.]),
    "0d": lambda m: m.tensor(3.5),
    "one": lambda m: m.tensor([[7]]),
    "empty": lambda m: m.zeros(0),
    "empty2d": lambda m: m.zeros(2, 0, 3),
    "int": lambda m: m.tensor([1, 2]),
    "bool0": lambda m: m.tensor(True),
    "mat": lambda m: m.arange(12).reshape(3, 4),
    "matT": lambda m: m.arange(12.).reshape(3, 4).T,
    "cplx": lambda m: m.tensor(1 + 2j),
    "f16": lambda m: m.tensor([1., 2.], dtype=m.float16),
}

EXPRS = [
    "len(t)", "[x.tolist() for x in t]", "bool(t)", "float(t)", "int(t)", "complex(t)",
    "t.__index__()", "t.item()", "t.tolist()", "tuple(t.shape)", "tuple(t.size())", "t.size(0)",
    "t.size(-1)", "t.size(5)", "t.dim()", "t.ndim", "t.numel()", "t.stride()", "t.stride(0)",
    "t.stride(-1)", "t.is_contiguous()", "t.numpy().tolist()", "np.asarray(t).dtype",
    "t.element_size()", "t.type()", "t.is_floating_point()", "t.is_complex()", "t.is_signed()",
    "t.get_device()", "t.is_leaf", "t.requires_grad", "t.nbytes", "t.itemsize", "t.is_cuda",
    "t.is_cpu", "t.ndimension()", "t.nelement()", "t.float() is t", "t.contiguous() is t",
    "t.clone() is t", "t.contiguous().stride()", "t.clone().stride()", "t.to('cpu') is t",
    "t.to(t) is t", "t.to(copy=True) is t", "t.new_full((2,), 3).tolist()",
    "t.new_tensor([1, 2]).tolist()", "t.storage_offset()", "t.__array__(np.float64).dtype",
    "t.to(t.dtype) is t",
    "mod.is_tensor(t)", "mod.numel(t)", "t.is_floating_point()",
    "str(t.to(mod.float64).dtype)[-7:]", "t.double().tolist()", "t.long().tolist()",
    "t.bool().tolist()", "t.int().element_size()", "t.half().element_size()",
    "t.byte().element_size()", "t.char().element_size()", "t.short().element_size()",
    "t.cfloat().element_size()", "t.cdouble().element_size()", "t.type('torch.IntTensor').type()",
    "t.type('torch.DoubleTensor').tolist()", "t.type(mod.float16).element_size()",
    "t.new_zeros(2, 3).shape == (2, 3)", "t.new_ones((2,)).dtype == t.dtype",
    "t.new_empty(2).dtype == t.dtype", "t.new_ones(2, dtype=mod.int8).tolist()",
]


def _outcome(expr, mod, make):
    try:
        r = eval(expr, {"t": make(mod), "mod": mod, "np": np})
    except Exception as exc:  # noqa: BLE001 - the type is what we compare
        return ("raises", type(exc))
    return ("value", r)


@pytest.mark.parametrize("name", list(MAKERS))
def test_metadata_and_conversions_match_torch(name):
    make = MAKERS[name]
    for expr in EXPRS:
        t_out, e_out = _outcome(expr, torch, make), _outcome(expr, ember, make)
        assert e_out == t_out, (expr, e_out, t_out)


def test_numpy_shares_memory_and_refuses_grad():
    t = ember.zeros(3)
    t.numpy()[1] = 5.
    assert t.tolist() == [0., 5., 0.]
    r = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.zeros(3, requires_grad=True).numpy()
    with pytest.raises(RuntimeError):
        r.numpy()
    with pytest.raises(RuntimeError):
        np.asarray(torch.zeros(3, requires_grad=True))
    with pytest.raises(RuntimeError):
        np.asarray(r)
    assert r.detach().numpy().shape == (3,)
    assert r.numpy(force=True).shape == (3,)


def test_item_tolist_types():
    for data in ([1, 2], [1.5, 2.], [True, False], [1 + 2j]):
        e, t = ember.tensor(data), torch.tensor(data)
        assert e.tolist() == t.tolist()
        assert [type(x) for x in e.tolist()] == [type(x) for x in t.tolist()]
        assert type(ember.tensor(data[0]).item()) is type(torch.tensor(data[0]).item())
    assert ember.tensor(2.5, dtype=ember.float16).item() == 2.5


def test_iter_len_and_index_protocols():
    e = ember.tensor([[1, 2], [3, 4]])
    rows = list(e)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert len(e) == 2
    assert [10, 20, 30][ember.tensor(1)] == 20
    assert list(range(5))[ember.tensor(1):ember.tensor(3)] == [1, 2]
    with pytest.raises(TypeError):
        [1, 2][torch.tensor(1.)]
    with pytest.raises(TypeError):
        [1, 2][ember.tensor(1.)]
    assert f"{ember.tensor(2.5):.2f}" == f"{torch.tensor(2.5):.2f}"
    assert ember.tensor([1, 2]) in {ember.tensor(0): 1} or True  # hashable
    d = {}
    k = ember.tensor([1.])
    d[k] = 1
    assert d[k] == 1


def test_dlpack_protocol():
    e = ember.arange(6.).reshape(2, 3)
    a = np.from_dlpack(e)
    assert np.shares_memory(a, e.numpy())
    t = torch.from_dlpack(e)
    t[0, 0] = 42.
    assert e.tolist()[0][0] == 42.
    assert e.__dlpack_device__() == torch.zeros(1).__dlpack_device__()
    with pytest.raises(BufferError):
        torch.zeros(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError):
        ember.zeros(2, requires_grad=True).__dlpack__()


def test_device_semantics():
    for s in ("cpu", "cuda", "cuda:1", "meta"):
        assert repr(ember.device(s)) == repr(torch.device(s))
        assert str(ember.device(s)) == str(torch.device(s))
        assert ember.device(s).type == torch.device(s).type
        assert ember.device(s).index == torch.device(s).index
    assert repr(ember.device("cuda", 2)) == repr(torch.device("cuda", 2))
    assert ember.device("cpu") == ember.device("cpu")
    assert ember.device("cuda:1") == ember.device("cuda", 1)
    assert ember.device("cuda:0") != ember.device("cuda:1")
    assert ember.device("cpu") != ember.device("cuda")
    assert ember.device(ember.device("cpu")) == ember.device("cpu")
    assert len({ember.device("cpu"), ember.device("cpu")}) == 1
    assert ember.zeros(1).device == ember.device("cpu")
    with pytest.raises(RuntimeError):
        torch.device("gpu")
    with pytest.raises(RuntimeError):
        ember.device("gpu")
    with pytest.raises(RuntimeError):
        torch.device("cuda:0", 1)
    with pytest.raises(RuntimeError):
        ember.device("cuda:0", 1)


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the no-CUDA behaviour")
def test_cuda_unavailable():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    for fn in (lambda m: m.zeros(2).cuda(), lambda m: m.zeros(2).to("cuda"),
               lambda m: m.zeros(2, device="cuda"), lambda m: m.tensor([1], device="cuda"),
               lambda m: m.ones(2).to(m.device("cuda", 0)), lambda m: m.randn(2, device="cuda")):
        with pytest.raises(AssertionError):
            fn(torch)
        with pytest.raises(AssertionError, match="CUDA"):
            fn(ember)


# ------------------------------------------------------------------ repr
rng = np.random.default_rng(0)
REPR_CASES = [
    np.array([1, 2, 3]), np.array(5), np.array(2.5), np.array([1., 2., 3.]),
    np.array([1.5, 2., -3.25]), np.array([1e-5, 1.]), np.array([1e9, 1.]), np.array([1e9, 2e9]),
    np.array([0., 0.]), np.array([np.nan, np.inf, -np.inf, 1.]), np.array([np.nan, 1.5]),
    np.array([True, False]), rng.standard_normal((3, 4)), rng.standard_normal((2, 3, 4)),
    rng.standard_normal((40, 40)), np.arange(2000), rng.standard_normal((5, 300)),
    np.arange(100.), rng.standard_normal(30).astype(np.float32), np.zeros((0,)),
    np.zeros((0, 3)), np.zeros((2, 0), np.int32), np.array([1, 2], np.int32),
    np.array([1, 2], np.uint8), np.array([1.5, 2], np.float16), np.array([1 + 2j, 3 - 1j]),
    np.array([1.5 + 2j, 3 - 1.25j], np.complex64), rng.standard_normal((2, 3, 4, 5)),
    np.array([123456789.0]), np.array([-1e-8, 5.]), np.arange(12).reshape(3, 4) * 1000,
    np.array(True), np.array(3, np.int8), np.array(1e-10), np.array([[1, -2], [3, 4]]),
    rng.standard_normal((10, 10, 10, 2)), np.array([-0., 1.]), np.array([1e-4, 0.1]),
    np.array([0.1, 100.]), np.array([0.1, 1000.]), rng.standard_normal((3, 1000)) * 1e5,
    np.arange(-20, 20, dtype=np.int64) * 10 ** 9, np.array([1 + 1e6j, 2j]),
]


@pytest.mark.parametrize("i", range(len(REPR_CASES)))
def test_repr_matches_torch(i, torch_names):
    e, t = _pair(REPR_CASES[i])
    assert repr(e) == repr(t)
    assert str(e) == str(t)


def test_repr_autograd_suffixes(torch_names):
    x, tx = ember.tensor([1., 2.], requires_grad=True), torch.tensor([1., 2.], requires_grad=True)
    for e, t in [(x, tx), (x * 2, tx * 2), (x.sum(), tx.sum()), (x.exp(), tx.exp()),
                 (x.to(ember.float64), tx.to(torch.float64)), (x.clone(), tx.clone())]:
        assert repr(e) == repr(t)
    big, tbig = _pair(np.arange(2000.).reshape(40, 50) / 7)
    assert repr(big.requires_grad_()) == repr(tbig.requires_grad_())


def test_repr_default_dtype_float64(torch_names):
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    try:
        for arr in [np.array([1., 2.]), np.array([1., 2.], np.float32), np.zeros(0),
                    np.zeros(0, np.float32), np.array([1j]), np.array([1j], np.complex64)]:
            e, t = _pair(arr)
            assert repr(e) == repr(t)
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def test_repr_ember_names():
    assert repr(ember.tensor([1, 2], dtype=ember.int32)) == "tensor([1, 2], dtype=ember.int32)"
    assert repr(ember.zeros(2, 3).shape) == "ember.Size([2, 3])"


def test_printoptions(torch_names):
    from ember._tensor_str import printoptions
    e, t = _pair(np.arange(10.) / 3)
    with printoptions(precision=2, threshold=5, edgeitems=2), \
            torch._tensor_str.printoptions(precision=2, threshold=5, edgeitems=2):
        assert repr(e) == repr(t)
    with printoptions(sci_mode=True), torch._tensor_str.printoptions(sci_mode=True):
        assert repr(e) == repr(t)
    assert repr(e) == repr(t)
