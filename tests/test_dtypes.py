"""dtype promotion, casting rules, default dtype and finfo/iinfo, against torch."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]
PAIRS = list(itertools.product(NAMES, NAMES))
SHAPES = [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]
SCALARS = [True, 2, 2.5, 1 + 1j]


def _name(d):
    return str(d).split(".")[-1]


def _ones(mod, name, shape):
    return mod.ones(shape, dtype=getattr(mod, name))


def _complex32(a, b):
    # torch has complex32 (ComplexHalf), which ember has not: float16 with a lower-priority
    # complex gives complex32 in torch and complex64 in ember
    return {a, b} & {"float16"} and {a, b} & {"complex64", "complex128"}


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types_and_can_cast(a, b):
    assert ember.promote_types(getattr(ember, a), getattr(ember, b)).name == \
        _name(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == \
        torch.can_cast(getattr(torch, a), getattr(torch, b))


@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_and_arithmetic_dtypes(a, b):
    for sa, sb in SHAPES:
        if _complex32(a, b) and (sa == ()) != (sb == ()):
            continue
        expected = _name(torch.result_type(_ones(torch, a, sa), _ones(torch, b, sb)))
        assert ember.result_type(_ones(ember, a, sa), _ones(ember, b, sb)).name == expected
        for op in ("add", "mul", "div"):
            t = getattr(torch, op)(_ones(torch, a, sa), _ones(torch, b, sb))
            e = getattr(ember, op)(_ones(ember, a, sa), _ones(ember, b, sb))
            assert e.dtype.name == _name(t.dtype), (op, sa, sb)
            assert e.shape == tuple(t.shape)


@pytest.mark.parametrize("a", NAMES)
def test_tensor_with_python_scalar(a):
    for s, shape in itertools.product(SCALARS, [(2,), ()]):
        if a == "float16" and isinstance(s, complex):
            continue  # complex32 in torch
        expected = _name(torch.result_type(_ones(torch, a, shape), s))
        assert ember.result_type(_ones(ember, a, shape), s).name == expected
        for op in ("add", "mul", "div"):
            t = getattr(torch, op)(_ones(torch, a, shape), s)
            e = getattr(ember, op)(_ones(ember, a, shape), s)
            assert e.dtype.name == _name(t.dtype), (op, s, shape)
            # reflected operators keep the same rule
            assert (s * _ones(ember, a, shape)).dtype.name == _name((s * _ones(torch, a, shape))
                                                                  .dtype)


def test_result_type_of_scalars_and_mixed_groups():
    for s1, s2 in itertools.product(SCALARS, repeat=2):
        expected = _name(torch.result_type(torch.tensor(s1), torch.tensor(s2)))
        assert ember.result_type(ember.tensor(s1), ember.tensor(s2)).name == expected
    # a 0-d tensor only raises the category of a dimensioned tensor
    assert ember.result_type(ember.ones(2, dtype=ember.int8), ember.tensor(5)) is ember.int8
    assert ember.result_type(ember.ones(2, dtype=ember.int8), ember.tensor(5.)) is ember.float32
    assert ember.result_type(ember.ones(2, dtype=ember.float16),
                             ember.tensor(5., dtype=ember.float64)) is ember.float16


def test_int_division_gives_default_float():
    a, b = ember.tensor([3, 4]), ember.tensor([2, 2])
    assert (a / b).dtype is ember.float32
    assert (a / 2).dtype is ember.float32
    np.testing.assert_allclose((a / b).numpy(), (torch.tensor([3, 4]) / 2).numpy())


def test_set_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.get_default_dtype() is ember.float64
        for e, t in [(ember.tensor([1.]), torch.tensor([1.])),
                     (ember.tensor([1j]), torch.tensor([1j])),
                     (ember.arange(0., 1., 0.25), torch.arange(0., 1., 0.25)),
                     (ember.arange(3), torch.arange(3)),
                     (ember.zeros(2), torch.zeros(2)),
                     (ember.tensor([3]) / ember.tensor([2]), torch.tensor([3]) / torch.tensor([2])),
                     (ember.tensor([3]) * 1.5, torch.tensor([3]) * 1.5),
                     (ember.full((2,), 1.5), torch.full((2,), 1.5)),
                     (ember.linspace(0, 1, 3), torch.linspace(0, 1, 3))]:
            assert e.dtype.name == _name(t.dtype)
        assert ember.finfo().dtype == "float64"
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.]).dtype is ember.float32


def test_set_default_dtype_rejects_non_float():
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


def test_python_types_as_dtype():
    for py in (float, int, bool, complex):
        assert ember.zeros(1, dtype=py).dtype.name == _name(torch.zeros(1, dtype=py).dtype)
    ember.set_default_dtype(ember.float64)
    assert ember.zeros(1, dtype=float).dtype is ember.float64


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "complex64", "complex128"])
def test_finfo(name):
    t, e = torch.finfo(getattr(torch, name)), ember.finfo(getattr(ember, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    t, e = torch.iinfo(getattr(torch, name)), ember.iinfo(getattr(ember, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


@pytest.mark.parametrize("fn,arg", [("finfo", "int32"), ("iinfo", "float32"), ("iinfo", "bool")])
def test_info_errors(fn, arg):
    with pytest.raises(TypeError):
        getattr(torch, fn)(getattr(torch, arg))
    with pytest.raises(TypeError):
        getattr(ember, fn)(getattr(ember, arg))


def test_dtype_attributes_and_repr():
    for name in NAMES:
        e, t = getattr(ember, name), getattr(torch, name)
        assert e.is_floating_point == t.is_floating_point
        assert e.is_complex == t.is_complex
        assert e.is_signed == t.is_signed
        assert e.itemsize == t.itemsize
        assert repr(e) == "ember." + name
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.half is ember.float16
    assert ember.cfloat is ember.complex64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pickle
        assert pickle.loads(pickle.dumps(ember.float16)) is ember.float16
