"""Random sampling: the global generator, Generator objects, rand/randn/randint/..., and the
in-place samplers (``uniform_``, ``normal_``, ...).

Every sampler draws from a :class:`Generator`, a NumPy ``Generator`` on a PCG64 bit generator
(the streams differ from torch's, the API and the reproducibility contract are the same: same
seed, same values). Samples are drawn on the host in float64 or float32 (float16 through
float32) and moved to the requested device. Samplers that take tensors (``normal``,
``bernoulli``, ``poisson``) are recorded in the graph with a zero gradient, as in torch.
"""
from __future__ import annotations

import math as _math
import operator as _operator
import os as _os

import numpy as _np

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import CPU, device as _device, to_device
from .._tensor import Tensor, _make
from ._util import inplace
from .creation import _size, _sizes

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm",
           "rand_like", "randn_like", "randint_like", "normal", "bernoulli", "multinomial",
           "poisson"]

_DEFAULT_SEED = 67280421310721  # torch's default seed
_U64 = 1 << 64
_STATE_BYTES = 56  # PCG64 state (16), increment (16), has_uint32 (8), uinteger (8), seed (8)


class Generator:
    """Creates and returns a generator object that manages the state of the algorithm which
    produces pseudo random numbers. Used as a keyword argument in many random sampling
    functions.

    Arguments:
        device (:class:`ember.device`, optional): the desired device for the generator.

    Example::

        >>> g_cpu = ember.Generator()
        >>> g_cpu.manual_seed(2147483647)  # doctest: +ELLIPSIS
        <ember.Generator object at 0x...>
        >>> g_cpu.initial_seed()
        2147483647
    """

    def __init__(self, device="cpu"):
        self.device = _device(device)
        if self.device.type == "cuda":
            from ..backend import cuda
            cuda.check_available()
        self.manual_seed(_DEFAULT_SEED)

    def __repr__(self):
        return f"<ember.Generator object at {hex(id(self))}>"

    def manual_seed(self, seed):
        """Sets the seed for generating random numbers. Returns a `ember.Generator` object.
        Any 64-bit integer is accepted (negative values wrap around, as in torch)."""
        seed = int(seed)
        if not -(1 << 63) <= seed < _U64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % _U64
        self._rng = _np.random.Generator(_np.random.PCG64(self._seed))
        return self

    def seed(self):
        """Gets a non-deterministic random number from the OS and uses it to seed the
        generator; returns it."""
        s = int.from_bytes(_os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """Returns the initial seed for generating random numbers."""
        return self._seed

    def get_state(self):
        """Returns the Generator state as a ``ember.ByteTensor`` (a uint8 tensor)."""
        st = self._rng.bit_generator.state
        parts = [st["state"]["state"].to_bytes(16, "little"),
                 st["state"]["inc"].to_bytes(16, "little"),
                 int(st["has_uint32"]).to_bytes(8, "little"),
                 int(st["uinteger"]).to_bytes(8, "little"),
                 self._seed.to_bytes(8, "little")]
        return _make(_np.frombuffer(b"".join(parts), _np.uint8).copy(), False, None, 0)

    def set_state(self, new_state):
        """Sets the Generator state from a uint8 tensor returned by :meth:`get_state`."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dt.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._host().tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but "
                               f"found the input RNG state size to be {len(raw)}")
        num = [int.from_bytes(raw[a:b], "little")
               for a, b in ((0, 16), (16, 32), (32, 40), (40, 48), (48, 56))]
        bitgen = _np.random.PCG64()
        bitgen.state = {"bit_generator": "PCG64", "state": {"state": num[0], "inc": num[1]},
                        "has_uint32": num[2], "uinteger": num[3]}
        self._rng = _np.random.Generator(bitgen)
        self._seed = num[4]
        return self

    def __getstate__(self):
        return {"device": str(self.device), "state": self.get_state()._data}

    def __setstate__(self, d):
        self.device = _device(d["device"])
        self._seed = 0
        self.set_state(_make(d["state"], False, None, 0))


default_generator = Generator()
_cuda_generators = {}


def _generator(generator, device=None):
    """The NumPy generator to draw from: ``generator``'s, or the default one of ``device``."""
    if generator is not None:
        if not isinstance(generator, Generator):
            raise TypeError(f"generator must be an ember.Generator, got "
                            f"{type(generator).__name__}")
        return generator._rng
    if device is None or device is CPU or _device(device).type == "cpu":
        return default_generator._rng
    dev = _device(device)
    g = _cuda_generators.get(dev.index or 0)
    if g is None:
        g = _cuda_generators[dev.index or 0] = Generator(dev)
    return g._rng


def manual_seed(seed):
    """Sets the seed for generating random numbers on all devices. Returns the
    `ember.Generator` object of the CPU.

    Args:
        seed (int): The desired seed. Value must be within the inclusive range
            `[-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff]`. Otherwise, a RuntimeError
            is raised. Negative inputs are remapped to positive values with the formula
            `0xffff_ffff_ffff_ffff + seed`.
    """
    default_generator.manual_seed(seed)
    for g in _cuda_generators.values():
        g.manual_seed(seed)
    return default_generator


def seed():
    """Sets the seed for generating random numbers to a non-deterministic random number on
    all devices. Returns a 64 bit number used to seed the RNG."""
    s = default_generator.seed()
    for g in _cuda_generators.values():
        g.manual_seed(s)
    return s


def initial_seed():
    """Returns the initial seed for generating random numbers as a Python `long`."""
    return default_generator.initial_seed()


def get_rng_state():
    """Returns the random number generator state as a `ember.ByteTensor`."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Sets the random number generator state.

    Args:
        new_state (ember.ByteTensor): The desired state
    """
    default_generator.set_state(new_state)


# ------------------------------------------------------------------ host sampling helpers
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _tname(np_dtype):
    return _TYPE_NAMES[_np.dtype(np_dtype).name]


def _require_float(np_dtype, kernel, kinds="fc"):
    if np_dtype.kind not in kinds:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_tname(np_dtype)}\'')


def _work_dtype(np_dtype):
    """The dtype NumPy samples in: float64 for float64/complex128, float32 otherwise."""
    return _np.float64 if np_dtype in (_np.float64, _np.complex128) else _np.float32


def _finish(arr, np_dtype, device, requires_grad=False):
    """Cast a host sample to the requested dtype and device and wrap it as a leaf."""
    if arr.dtype != np_dtype:
        arr = arr.astype(np_dtype)
    if device is not None and _device(device).type != "cpu":
        arr = to_device(arr, _device(device))
    t = _make(arr, False, None, 0)
    if requires_grad:
        t.requires_grad = True
    return t


def _uniform(rng, size, np_dtype, low=0.0, high=1.0):
    """Uniform samples in ``[low, high)`` (never ``high``, even after rounding to float16)."""
    if np_dtype.kind == "c":
        real = _uniform(rng, size + (2,), _np.dtype(_work_dtype(np_dtype)), low, high)
        return real[..., 0] + 1j * real[..., 1]
    work = _work_dtype(np_dtype)
    u = rng.random(size, dtype=work)
    if low != 0.0 or high != 1.0:
        u = u * (high - low) + low
    out = u.astype(np_dtype) if u.dtype != np_dtype else u
    if high > low:
        below = _np.nextafter(np_dtype.type(high), np_dtype.type(low))
        out = _np.minimum(out, below, out=out) if out.ndim else _np.minimum(out, below)
    return out


def _normal(rng, size, np_dtype, mean=0.0, std=1.0):
    if np_dtype.kind == "c":
        # complex normal: real and imaginary parts each with variance std**2 / 2
        parts = rng.standard_normal(size + (2,), dtype=_work_dtype(np_dtype))
        parts *= std / _math.sqrt(2)
        return (parts[..., 0] + 1j * parts[..., 1]) + mean
    z = rng.standard_normal(size, dtype=_work_dtype(np_dtype))
    if std != 1.0:
        z *= std
    if mean != 0.0:
        z += mean
    return z


def _parse_size(size, kwargs, name):
    return _sizes(size, kwargs, name)


# ------------------------------------------------------------------ factories
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs):
    """Returns a tensor filled with random numbers from a uniform distribution on the interval
    :math:`[0, 1)`. The shape of the tensor is defined by the variable argument :attr:`size`.

    Example::

        >>> ember.rand(4).shape
        ember.Size([4])
    """
    d = _dt.to_np(dtype) if dtype is not None else _dt.default_float_np()
    _require_float(d, "check_uniform_bounds")
    shape = _parse_size(size, kwargs, "rand")
    t = _finish(_uniform(_generator(generator, device), shape, d), d, device, requires_grad)
    return t if out is None else _write_out(out, t)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs):
    """Returns a tensor filled with random numbers from a normal distribution with mean `0`
    and variance `1` (also called the standard normal distribution).

    Example::

        >>> ember.randn(2, 3).shape
        ember.Size([2, 3])
    """
    d = _dt.to_np(dtype) if dtype is not None else _dt.default_float_np()
    _require_float(d, "normal_kernel_cpu")
    shape = _parse_size(size, kwargs, "randn")
    t = _finish(_normal(_generator(generator, device), shape, d), d, device, requires_grad)
    return t if out is None else _write_out(out, t)


def _randint_args(args, kwargs):
    size = kwargs.pop("size", None)
    if "high" in kwargs:
        high = kwargs.pop("high")
        low = kwargs.pop("low", args[0] if args else 0)
    elif len(args) == 3:
        low, high, size = args
    elif len(args) == 2 and size is None:
        low, (high, size) = 0, args
    elif len(args) == 2:
        low, high = args
    elif len(args) == 1 and size is not None:
        low, high = 0, args[0]
    else:
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int low, int high, tuple of ints size, ...) or (int high, tuple of "
                        "ints size, ...)")
    if not isinstance(size, (list, tuple)):
        raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return low, high, size


def _check_random_dtype(np_dtype):
    if np_dtype.kind == "c":
        raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                           "boolean types")


def _integers(rng, low, high, size):
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    return rng.integers(low, high, size=size, dtype=_np.int64)


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, **kwargs):
    """randint(low=0, high, size, \\*, generator=None, out=None, dtype=None, ...) -> Tensor

    Returns a tensor filled with random integers generated uniformly between :attr:`low`
    (inclusive) and :attr:`high` (exclusive). The dtype defaults to ``int64``.

    Example::

        >>> ember.randint(3, 5, (3,)).shape
        ember.Size([3])
    """
    low, high, size = _randint_args(args, kwargs)
    if kwargs:
        raise TypeError(f"randint() got an unexpected keyword argument '{next(iter(kwargs))}'")
    d = _dt.to_np(dtype) if dtype is not None else _np.dtype(_np.int64)
    _check_random_dtype(d)
    arr = _integers(_generator(generator, device), low, high, _size((size,), "randint"))
    t = _finish(arr, d, device, requires_grad)
    return t if out is None else _write_out(out, t)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """Returns a random permutation of integers from ``0`` to ``n - 1``.

    Example::

        >>> sorted(ember.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    n = _operator.index(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    d = _dt.to_np(dtype) if dtype is not None else _np.dtype(_np.int64)
    if d.kind in "bc":
        raise NotImplementedError(f'"randperm" not implemented for \'{_tname(d)}\'')
    arr = _generator(generator, device).permutation(n)
    t = _finish(arr, d, device, requires_grad)
    return t if out is None else _write_out(out, t)


def _like_args(input, dtype, device):
    return (_dt.to_np(dtype) if dtype is not None else input._data.dtype,
            device if device is not None else input.device)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """Returns a tensor with the same size as :attr:`input` that is filled with random
    numbers from a uniform distribution on the interval :math:`[0, 1)`."""
    d, dev = _like_args(input, dtype, device)
    _require_float(d, "check_uniform_bounds")
    return _finish(_uniform(_generator(generator, dev), input._data.shape, d), d, dev,
                   requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """Returns a tensor with the same size as :attr:`input` that is filled with random
    numbers from a normal distribution with mean 0 and variance 1."""
    d, dev = _like_args(input, dtype, device)
    _require_float(d, "normal_kernel_cpu")
    return _finish(_normal(_generator(generator, dev), input._data.shape, d), d, dev,
                   requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """randint_like(input, low=0, high, \\*, dtype=None, ...) -> Tensor

    Returns a tensor with the same shape as Tensor :attr:`input` filled with random integers
    generated uniformly between :attr:`low` (inclusive) and :attr:`high` (exclusive)."""
    if high is None:
        low, high = 0, low
    d, dev = _like_args(input, dtype, device)
    _check_random_dtype(d)
    arr = _integers(_generator(generator, dev), low, high, input._data.shape)
    return _finish(arr, d, dev, requires_grad)


# ------------------------------------------------------------------ samplers of tensors
class _ZeroGradSample(Function):
    """A sample drawn from parameters held in tensors: torch defines its gradient as zero
    with respect to every parameter. ``forward(ctx, draw, *params)`` returns ``draw(*params)``.
    """
    _arrays = True

    @staticmethod
    def forward(ctx, draw, *params):
        return draw(*params)

    @staticmethod
    def backward(ctx, g):
        return (None,) + tuple(ctx.xp.zeros_like(g) if need else None
                               for need in ctx.needs_input_grad[1:])


class Normal(_ZeroGradSample):
    pass


class Bernoulli(_ZeroGradSample):
    pass


class Poisson(_ZeroGradSample):
    pass


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt_num(std)}")


def _fmt_num(x):
    return str(int(x)) if float(x).is_integer() else str(x)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Returns a tensor of random numbers drawn from separate normal distributions whose mean
    and standard deviation are given.

    Four forms: ``normal(mean: Tensor, std: Tensor)`` (broadcast together),
    ``normal(mean: Tensor, std: float = 1.0)``, ``normal(mean: float, std: Tensor)`` and
    ``normal(mean: float, std: float, size)`` (with ``dtype``/``device``/``requires_grad``).

    Example::

        >>> ember.normal(mean=ember.arange(1., 11.), std=ember.arange(1, 0, -0.1)).shape
        ember.Size([10])
        >>> ember.normal(2, 3, size=(1, 4)).shape
        ember.Size([1, 4])
    """
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected (float mean, float std, tuple of "
                            "ints size, ...)")
        _check_std(std)
        d = _dt.to_np(dtype) if dtype is not None else _dt.default_float_np()
        _require_float(d, "normal_kernel_cpu")
        arr = _normal(_generator(generator, device), _size((size,), "normal"), d,
                      float(mean), float(std))
        t = _finish(arr, d, device, requires_grad)
        return t if out is None else _write_out(out, t)
    rng = _generator(generator, (mean if mt else std).device)
    if st and not mt:
        # normal(float mean, Tensor std)
        def draw(s):
            if s.size and s.min() < 0:
                raise RuntimeError("normal expects all elements of std >= 0.0")
            d = s.dtype
            _require_float(d, "normal_kernel_cpu")
            return (_normal(rng, s.shape, d) * s + mean).astype(d)
        t = Normal.apply(draw, std)
    elif mt and not st:
        _check_std(std)

        def draw(m):
            d = m.dtype
            _require_float(d, "normal_kernel_cpu")
            return (_normal(rng, m.shape, d) * std + m).astype(d)
        t = Normal.apply(draw, mean)
    else:
        def draw(m, s):
            if s.size and s.min() < 0:
                raise RuntimeError("normal expects all elements of std >= 0.0")
            d = _dt.PROMOTE_NP[m.dtype, s.dtype]
            _require_float(d, "normal_kernel_cpu")
            shape = _np.broadcast_shapes(m.shape, s.shape)
            return (_normal(rng, shape, d) * s + m).astype(d)
        t = Normal.apply(draw, mean, std)
    return t if out is None else _write_out(out, t)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws binary random numbers (0 or 1) from a Bernoulli distribution.

    The :attr:`input` tensor should be a tensor containing probabilities to be used for
    drawing the binary random number; with ``p`` given, every element is drawn with
    probability ``p`` instead. The returned tensor has :attr:`input`'s shape and dtype.

    Example::

        >>> a = ember.empty(3, 3).uniform_(0, 1)
        >>> ember.bernoulli(a).shape
        ember.Size([3, 3])
    """
    rng = _generator(generator, input.device)

    def draw(probs):
        d = probs.dtype
        _require_float(d, "bernoulli_tensor_cpu_p_")
        if p is None:
            if probs.size and not ((probs >= 0) & (probs <= 1)).all():
                raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got "
                                   "false.")
            pr = probs
        else:
            _check_p(p, "bernoulli_")
            pr = p
        return (rng.random(probs.shape) < pr).astype(d)
    t = Bernoulli.apply(draw, input)
    return t if out is None else _write_out(out, t)


def _check_p(p, name):
    if not 0 <= p <= 1:
        raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={_fmt_num(p)}")


def poisson(input, generator=None):
    """Returns a tensor of the same size as :attr:`input` with each element sampled from a
    Poisson distribution with rate parameter given by the corresponding element in
    :attr:`input`.

    Example::

        >>> rates = ember.rand(4, 4) * 5
        >>> ember.poisson(rates).shape
        ember.Size([4, 4])
    """
    rng = _generator(generator, input.device)

    def draw(rates):
        if rates.size and not (rates >= 0).all():
            raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
        return _np.asarray(rng.poisson(rates)).astype(rates.dtype)
    return Poisson.apply(draw, input)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Returns a tensor where each row contains :attr:`num_samples` indices sampled from the
    multinomial probability distribution located in the corresponding row of tensor
    :attr:`input`.

    The rows of :attr:`input` do not need to sum to one, but must be non-negative, finite and
    have a non-zero sum. Without replacement, a sampled index is not drawn again for that row.

    Example::

        >>> weights = ember.tensor([0, 10, 3, 0], dtype=ember.float)
        >>> sorted(ember.multinomial(weights, 2).tolist())
        [1, 2]
    """
    probs = input._host()
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_tname(probs.dtype)}")
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = probs.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = probs.reshape(-1, n_cat).astype(_np.float64)
    if not _np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _generator(generator, input.device)
    if replacement:
        cdf = _np.cumsum(rows, axis=1)
        u = rng.random((rows.shape[0], num_samples)) * cdf[:, -1:]
        idx = _np.stack([_np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        idx = _np.minimum(idx, n_cat - 1)
    else:
        # the exponential-race trick torch uses: the k largest p / E with E ~ Exp(1)
        keys = rows / rng.standard_exponential(rows.shape)
        idx = _np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.reshape(probs.shape[:-1] + (num_samples,)).astype(_np.int64)
    t = _finish(idx, _np.dtype(_np.int64), input.device)
    return t if out is None else _write_out(out, t)


def _write_out(out, t):
    from .creation import _write_out as write
    return write(out, t)


# ------------------------------------------------------------------ in-place samplers
class Resample(Function):
    """``self`` overwritten by values that do not depend on it: a zero gradient."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, values):
        return values

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.zeros_like(g), None


_NODES = {name: type(name, (Resample,), {"__module__": __name__}) for name in
          ("Uniform", "Normal", "Random", "Bernoulli", "Exponential", "Geometric", "Cauchy",
           "LogNormal")}


def _refill(self, host_values, node):
    """Write freshly sampled host values into ``self`` (recorded when ``self`` needs it)."""
    values = host_values
    if values.dtype != self._data.dtype:
        values = values.astype(self._data.dtype)
    if type(self._data) is not _np.ndarray:
        values = to_device(values, self.device)
    return inplace(_NODES[node].apply, self, values)


def _gen_of(self, generator):
    return _generator(generator, self.device)


def uniform_(self, from_=0, to=1, *, generator=None, **kwargs):
    """Fills ``self`` tensor with numbers sampled from the continuous uniform distribution
    :math:`[from, to)`."""
    from_ = kwargs.pop("from", from_)
    d = self._data.dtype
    _require_float(d, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_fmt_num(from_)} > to={_fmt_num(to)}")
    return _refill(self, _uniform(_gen_of(self, generator), self._data.shape, d,
                                  float(from_), float(to)), "Uniform")


def normal_(self, mean=0, std=1, *, generator=None):
    """Fills ``self`` tensor with elements samples from the normal distribution parameterized
    by :attr:`mean` and :attr:`std`."""
    d = self._data.dtype
    _require_float(d, "normal_kernel_cpu")
    _check_std(std)
    return _refill(self, _normal(_gen_of(self, generator), self._data.shape, d, float(mean),
                                 float(std)), "Normal")


def _random_bounds(d, from_, to):
    if d.kind == "b":
        hi = 2
    elif d.kind == "f":
        hi = (1 << (_np.finfo(d).nmant + 1)) + 1
    else:
        hi = int(_np.iinfo(d).max) + 1
    if to is None:
        return (0, hi) if from_ is None else (0, from_)
    return from_, to


def random_(self, from_=None, to=None, *, generator=None, **kwargs):
    """random_(from=0, to=None, *, generator=None) -> Tensor

    Fills ``self`` tensor with numbers sampled from the discrete uniform distribution over
    ``[from, to - 1]``. If not specified, the values are usually only bounded by ``self``
    tensor's data type."""
    from_ = kwargs.pop("from", from_)
    d = self._data.dtype
    _check_random_dtype(d)
    low, high = _random_bounds(d, from_, to)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    if d.kind in "iu" and (high - 1 > _np.iinfo(d).max or low < _np.iinfo(d).min):
        raise RuntimeError(f"to - 1 is out of bounds for {d.name}")
    rng = _gen_of(self, generator)
    if high - low <= (1 << 63):
        arr = rng.integers(low, high, size=self._data.shape, dtype=_np.int64) if high <= (1 << 63) \
            else (rng.integers(0, high - low, size=self._data.shape, dtype=_np.uint64)
                  + _np.uint64(low))
    else:
        arr = rng.integers(low, high, size=self._data.shape, dtype=_np.uint64)
    return _refill(self, arr, "Random")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fills each location of ``self`` with an independent sample from
    :math:`\\text{Bernoulli}(\\texttt{p})`. ``p`` is a number or a tensor of probabilities
    broadcastable to ``self``."""
    rng = _gen_of(self, generator)
    if self._data.dtype.kind == "c":
        kernel = "bernoulli_tensor_cpu_self_" if isinstance(p, Tensor) else "bernoulli_scalar_cpu_"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_tname(self._data.dtype)}'")
    if isinstance(p, Tensor):
        probs = p._host()
        if probs.size and not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        pr = _np.broadcast_to(probs, self._data.shape)
    else:
        _check_p(p, "bernoulli_")
        pr = p
    return _refill(self, rng.random(self._data.shape) < pr, "Bernoulli")


def exponential_(self, lambd=1.0, *, generator=None):
    """Fills ``self`` tensor with elements drawn from the PDF (probability density function)
    :math:`f(x) = \\lambda e^{-\\lambda x}, x > 0`."""
    d = self._data.dtype
    if d.kind not in "f":
        raise RuntimeError(f"Exponential distribution is a continuous probability "
                           f"distribution. dtype must be a floating point but you specified "
                           f"{_tname(d)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found "
                           f"lambda={_fmt_num(lambd)}")
    x = _gen_of(self, generator).standard_exponential(self._data.shape, dtype=_work_dtype(d))
    return _refill(self, x / lambd, "Exponential")


def geometric_(self, p, *, generator=None):
    """Fills ``self`` tensor with elements drawn from the geometric distribution:
    :math:`P(X=k) = (1 - p)^{k - 1} p, k = 1, 2, ...`"""
    if not 0 < p < 1 and p != 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt_num(p)}")
    return _refill(self, _gen_of(self, generator).geometric(p, self._data.shape), "Geometric")


def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fills the tensor with numbers drawn from the Cauchy distribution:
    :math:`f(x) = \\dfrac{1}{\\pi} \\dfrac{\\sigma}{(x - \\text{median})^2 + \\sigma^2}`"""
    d = self._data.dtype
    _require_float(d, "cauchy_cpu", "f")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt_num(sigma)}")
    u = _gen_of(self, generator).random(self._data.shape)
    return _refill(self, median + sigma * _np.tan(_math.pi * (u - 0.5)), "Cauchy")


def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fills ``self`` tensor with numbers samples from the log-normal distribution
    parameterized by the given mean :math:`\\mu` and standard deviation :math:`\\sigma`
    (those of the underlying normal distribution)."""
    d = self._data.dtype
    _require_float(d, "log_normal_cpu", "f")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt_num(std)}")
    z = _gen_of(self, generator).standard_normal(self._data.shape)
    return _refill(self, _np.exp(z * std + mean), "LogNormal")


TENSOR_METHODS = {
    "uniform_": uniform_, "normal_": normal_, "random_": random_, "bernoulli_": bernoulli_,
    "exponential_": exponential_, "geometric_": geometric_, "cauchy_": cauchy_,
    "log_normal_": log_normal_,
    "bernoulli": bernoulli, "multinomial": multinomial,
}


def __getattr__(name):
    """fill_, zero_ and copy_ moved to copying.py; they stay importable from here."""
    if name in ("fill_", "zero_", "copy_", "Fill", "Copy"):
        from . import copying
        return getattr(copying, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
