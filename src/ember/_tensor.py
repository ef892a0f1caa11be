"""Tensor: a backend array plus the autograd bookkeeping.

The class holds state and the few methods that are about the tensor itself (metadata,
conversion, autograd entry points). Every computation is an op in ``ember.ops``; the op
families list the ones that are also Tensor methods in their ``TENSOR_METHODS``, bound below.
"""
from __future__ import annotations

import warnings as _warnings

import numpy as _np

from . import dtypes as _dt
from .autograd import engine as _engine
from .autograd import function as _function
from .backend import device_of as _device_of

__all__ = ["Tensor", "Size"]

_ndarray = _np.ndarray
_FROM_NP = _dt.FROM_NP


class Size(tuple):
    """The shape of a tensor: a tuple of ints (``torch.Size``)."""

    def __repr__(self):
        return "torch.Size([" + ", ".join(str(s) for s in self) + "])" if _dt._torch_names \
            else "ember.Size([" + ", ".join(str(s) for s in self) + "])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor:
    """A multi-dimensional array with autograd, in PyTorch's semantics.

    ``Tensor(data)`` behaves like ``torch.Tensor(data)`` (float32 by default); prefer
    :func:`ember.tensor` to build tensors from data.
    """

    __slots__ = ("_data", "_requires_grad", "grad_fn", "_output_nr", "_grad", "_vbox",
                 "__dict__", "__weakref__")

    # rarely-set state lives in the instance __dict__, with these class defaults
    _hooks = None
    _post_acc_hooks = None
    _base = None
    _view_fn = None
    _retains_grad = False
    _is_inference = False
    __array_priority__ = 1000  # numpy defers to our reflected operators

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        from .ops.creation import _legacy_constructor_data
        data = _legacy_constructor_data(args, dtype, device)
        self._data = data
        self._requires_grad = False
        self.grad_fn = None
        self._output_nr = 0
        self._grad = None
        self._vbox = None
        if requires_grad:
            self.requires_grad = True

    # -------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """Returns the size of the tensor (a :class:`Size`), or of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def device(self):
        return _device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not _ndarray

    @property
    def is_cpu(self) -> bool:
        return type(self._data) is _ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    layout = "torch.strided"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        """Returns the number of dimensions of ``self`` tensor."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """Returns the total number of elements in the tensor."""
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim=None):
        """The jump (in elements) needed to go from one element to the next in each dim."""
        a = self._data
        if a.size == 0:  # NumPy zeroes the strides of empty arrays; torch keeps them
            strides, n = [], 1
            for s in reversed(a.shape):
                strides.append(n)
                n *= max(s, 1)
            strides = tuple(reversed(strides))
        else:
            strides = tuple(s // a.itemsize for s in a.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def storage_offset(self) -> int:
        base = self._data.base
        if base is None or not hasattr(base, "__array_interface__"):
            return 0
        start = self._data.__array_interface__["data"][0]
        return (start - _root(self._data).__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0] if self.is_cpu else self._data.data.ptr

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "ifc"

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    # -------------------------------------------------------------- autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        """Change if autograd should record operations on this tensor (in place)."""
        self.requires_grad = requires_grad
        return self

    def is_inference(self) -> bool:
        """Whether this tensor was made by an op under :class:`ember.inference_mode`."""
        return self._is_inference

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        return _make(self._data, False, None, 0)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else value

    @property
    def _version(self) -> int:
        box = self._vbox
        return box[0] if box else 0

    def _bump_version(self):
        box = self._vbox
        if box is None:
            self._vbox = [1]
        else:
            box[0] += 1

    def detach(self):
        """Returns a new Tensor, detached from the current graph (sharing memory)."""
        t = _make(self._data, False, None, 0)
        t._vbox = self._share_version()
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def _share_version(self):
        box = self._vbox
        if box is None:
            box = self._vbox = [0]
        return box

    def retain_grad(self):
        """Enables this non-leaf Tensor to have its :attr:`grad` populated during backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def retain(grad):
            t = ref()
            if t is not None:
                g = grad.detach() if grad.grad_fn is None else grad
                t._grad = _make(g._data.copy(), False, None, 0) if t._grad is None \
                    else t._grad + g
        self._register_node_hook(retain)
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Registers a backward hook ``hook(grad) -> Tensor or None``, called with the
        gradient of this tensor each time it is computed."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self.grad_fn is not None:
            return self._register_node_hook(hook)
        _engine.leaf_hooks_seen = True
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _function._RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        _engine.leaf_hooks_seen = True
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(hook)
        return _function._RemovableHandle(self._post_acc_hooks, hook)

    def _register_node_hook(self, hook):
        fn = self.grad_fn
        fn._fast = False
        if fn._pre_hooks is None:
            fn._pre_hooks = {}
        fn._pre_hooks.setdefault(self._output_nr, []).append(hook)
        return _function._RemovableHandle(fn._pre_hooks, hook, key=self._output_nr)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Computes the gradient of current tensor wrt graph leaves (see
        :func:`ember.autograd.backward`)."""
        d = self._data
        if (gradient is None and inputs is None and not create_graph and self.grad_fn is not None
                and d.size == 1 and type(d) is _ndarray):
            # the common `loss.backward()`: skip the general argument handling
            if _engine.leaf_hooks_seen or _function._anomaly.enabled:
                _engine.run_backward((self,), (_one_like(d),), bool(retain_graph))
            else:
                _engine.backward_from(self.grad_fn, self._output_nr, _one_like(d),
                                      bool(retain_graph))
            return
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -------------------------------------------------------------- conversion
    def item(self):
        """Returns the value of this tensor as a standard Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item() if self.is_cpu else self._data.item()

    def tolist(self):
        """Returns the tensor as a (nested) list of Python numbers."""
        return self._host().tolist()

    def numpy(self, *, force=False):
        """Returns the tensor as a NumPy ndarray sharing its memory (CPU only)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if not self.is_cpu:
            if force:
                return self._host()
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def _host(self):
        return self._data if type(self._data) is _ndarray else self._data.get()

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        a = self._host()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __dlpack__(self, stream=None, **kwargs):
        if self._requires_grad:
            raise BufferError("Can't export tensors that require gradient, use "
                              "tensor.detach()")
        return self._data.__dlpack__(**kwargs) if stream is None else \
            self._data.__dlpack__(stream=stream, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is "
                               "ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        v = self._scalar()
        if isinstance(v, complex):
            raise RuntimeError("value cannot be converted to type double without overflow")
        return float(v)

    def __int__(self):
        v = self._scalar()
        if isinstance(v, complex):
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        return int(v)

    def __complex__(self):
        return complex(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    __hash__ = object.__hash__  # identity, kept when __eq__ becomes elementwise

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        from .serialization import _rebuild_tensor_from_numpy
        return (_rebuild_tensor_from_numpy, (self._host(), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        new = type(self).__new__(type(self))
        new._data = self._data.copy()
        new._requires_grad = self._requires_grad
        new.grad_fn = None
        new._output_nr = 0
        new._grad = None if self._grad is None else _make(self._grad._data.copy(), False, None, 0)
        new._vbox = None
        for k, v in self.__dict__.items():
            if k not in ("_hooks", "_post_acc_hooks", "_base", "_view_fn"):
                import copy
                new.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = new
        return new

    @property
    def T(self):
        nd = self._data.ndim
        if nd > 2:
            _warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        elif nd == 0:
            _warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity "
                           "in these cases.", UserWarning, stacklevel=2)
        return self.permute(*range(nd - 1, -1, -1))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self):
        return self.mT.conj() if self.is_complex() else self.mT

    @property
    def real(self):
        return self if not self.is_complex() else self._real()

    # -------------------------------------------------------------- device / dtype moves
    def cpu(self, memory_format=None):
        """Returns a copy of this object in CPU memory (``self`` if already there)."""
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to("cuda" if device is None else device)

    def type(self, dtype=None, non_blocking=False):
        """Returns the type (``'torch.FloatTensor'``, ...) if ``dtype`` is not provided, else
        casts this object to the specified type (a dtype or a type string)."""
        names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
        if dtype is None:
            prefix = "torch." if self.is_cpu else "torch.cuda."
            return f"{prefix}{names[self.dtype.name]}Tensor"
        if isinstance(dtype, str):
            kind = dtype.rsplit(".", 1)[-1]
            by_type = {v + "Tensor": k for k, v in names.items()}
            if kind not in by_type:
                raise ValueError(f"invalid type: '{dtype}'")
            device = "cuda" if ".cuda." in dtype else "cpu"
            return self.to(device, _dt.as_dtype(by_type[kind]))
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self, memory_format=None):
        return self.to(_dt.float32)

    def double(self, memory_format=None):
        return self.to(_dt.float64)

    def half(self, memory_format=None):
        return self.to(_dt.float16)

    def long(self, memory_format=None):
        return self.to(_dt.int64)

    def int(self, memory_format=None):
        return self.to(_dt.int32)

    def short(self, memory_format=None):
        return self.to(_dt.int16)

    def char(self, memory_format=None):
        return self.to(_dt.int8)

    def byte(self, memory_format=None):
        return self.to(_dt.uint8)

    def bool(self, memory_format=None):
        return self.to(_dt.bool)

    def cfloat(self):
        return self.to(_dt.complex64)

    def cdouble(self):
        return self.to(_dt.complex128)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .ops.creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def _like_kwargs(self, dtype, device):
        return dict(dtype=dtype or self.dtype, device=device or self.device)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from .ops.creation import zeros
        return zeros(*size, **self._like_kwargs(dtype, device), requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from .ops.creation import ones
        return ones(*size, **self._like_kwargs(dtype, device), requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from .ops.creation import empty
        return empty(*size, **self._like_kwargs(dtype, device), requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, **kw):
        from .ops.creation import full
        return full(size, fill_value, **self._like_kwargs(dtype, device),
                    requires_grad=requires_grad)


def _make(data, requires_grad, grad_fn, output_nr):
    """Build a Tensor around a backend array without validation (the hot path)."""
    if type(data) is not _ndarray:
        data = _as_backend_array(data)
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._output_nr = output_nr
    t._grad = None
    t._vbox = None
    return t


_new = object.__new__
_ONES = {}  # dtype -> 0-d one, copied for each loss.backward() (np.ones costs ~1 us)


def _one_like(d):
    """A fresh array of ones shaped like the one-element array ``d``."""
    one = _ONES.get(d.dtype)
    if one is None:
        one = _ONES[d.dtype] = _np.ones((), d.dtype)
    one = one.copy()
    return one if d.ndim == 0 else one.reshape(d.shape)


def _as_backend_array(data):
    if isinstance(data, _np.generic):
        return _np.asarray(data)
    if hasattr(data, "__cuda_array_interface__") or type(data).__module__.startswith("cupy"):
        return data
    return _np.asarray(data)


def _wrap_dim(dim, ndim):
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _root(a):
    while a.base is not None and hasattr(a.base, "__array_interface__"):
        a = a.base
    return a


_function.Tensor = _engine.Tensor = Tensor
_function._make = _engine._make = _make


def _bind_methods():
    """Bind each op family's ``TENSOR_METHODS`` (names -> functions) onto Tensor."""
    from .ops import FAMILIES
    for module in FAMILIES:
        for name, fn in getattr(module, "TENSOR_METHODS", {}).items():
            setattr(Tensor, name, fn)
