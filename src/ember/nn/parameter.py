"""Parameter and Buffer (filled in by the optim/nn work)."""
from __future__ import annotations

from .._tensor import Tensor, _make


class Parameter(Tensor):
    """A kind of Tensor that is to be considered a module parameter."""

    def __new__(cls, data=None, requires_grad=True):
        from ..ops.creation import empty
        if data is None:
            data = empty(0)
        t = object.__new__(cls)
        t._data = data._data
        t._requires_grad = bool(requires_grad)
        t.grad_fn = None
        t._output_nr = 0
        t._grad = None
        t._vbox = data._share_version() if isinstance(data, Tensor) else None
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A kind of Tensor that should not be considered a model parameter (a module buffer)."""

    def __new__(cls, data=None, *, persistent=True):
        t = _make(data._data, False, None, 0)
        t.persistent = persistent
        return t
