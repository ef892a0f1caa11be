"""Parameter and Buffer: the tensors a module registers (``torch.nn.parameter``)."""
from __future__ import annotations

from collections import OrderedDict

from .._tensor import Tensor, _make

__all__ = ["Parameter", "Buffer"]


class _ParameterMeta(type):
    # Make `isinstance(t, Parameter)` return True for custom tensor instances that have the
    # _is_param flag.
    def __instancecheck__(self, instance):
        if self is Parameter and isinstance(instance, Tensor) and getattr(
                instance, "_is_param", False):
            return True
        return super().__instancecheck__(instance)


def _empty():
    from ..ops.creation import empty
    return empty(0)


def _alias(cls, data, requires_grad):
    """A ``cls`` instance sharing ``data``'s array and version counter, as a new leaf."""
    if not isinstance(data, Tensor):
        raise TypeError(f"expected Tensor as element 0 in argument 0, but got "
                        f"{type(data).__name__}")
    t = object.__new__(cls)
    t._data = data._data
    t._requires_grad = False
    t.grad_fn = None
    t._output_nr = 0
    t._grad = None
    t._vbox = data._share_version()
    if requires_grad:
        t.requires_grad = True  # validates the dtype as torch does
    return t


class Parameter(Tensor, metaclass=_ParameterMeta):
    r"""A kind of Tensor that is to be considered a module parameter.

    Parameters are :class:`~ember.Tensor` subclasses, that have a
    very special property when used with :class:`Module` s - when they're
    assigned as Module attributes they are automatically added to the list of
    its parameters, and will appear e.g. in :meth:`~Module.parameters` iterator.

    Args:
        data (Tensor): parameter tensor (shared, not copied).
        requires_grad (bool, optional): if the parameter requires gradient. Note that
            the ember.no_grad() context does NOT affect the default behavior of
            Parameter creation--the Parameter will still have `requires_grad=True` in
            :class:`~no_grad` mode. Default: `True`

    Example:
        >>> import ember
        >>> ember.nn.Parameter(ember.tensor([1.0, 2.0]))
        Parameter containing:
        tensor([1., 2.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        return _alias(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(_make(self._data.copy(), False, None, 0), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.data, self.requires_grad, OrderedDict()))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """Unpickle a :class:`Parameter` (``torch._utils._rebuild_parameter``)."""
    param = Parameter(data, requires_grad)
    param._backward_hooks = backward_hooks
    return param


class _BufferMeta(type):
    # Make `isinstance(t, Buffer)` return True for custom tensor instances that have the
    # _is_buffer flag.
    def __instancecheck__(self, instance):
        if self is Buffer and isinstance(instance, Tensor) and getattr(
                instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    r"""A kind of Tensor that should not be considered a model
    parameter. For example, BatchNorm's ``running_mean`` is not a parameter, but is part of
    the module's state.

    Buffers are :class:`~ember.Tensor` subclasses, that have a
    very special property when used with :class:`Module` s -- when they're
    assigned as Module attributes they are automatically added to the list of
    its buffers, and will appear e.g. in :meth:`~Module.buffers` iterator.
    ``Buffer(data)`` returns a plain Tensor (``data`` detached, sharing memory) flagged as a
    buffer, so ``isinstance(b, Buffer)`` holds.

    Args:
        data (Tensor): buffer tensor.
        persistent (bool, optional): whether the buffer is part of the module's
            :attr:`state_dict`. Default: ``True``

    Example:
        >>> import ember
        >>> b = ember.nn.Buffer(ember.zeros(2))
        >>> isinstance(b, ember.nn.Buffer), type(b).__name__, b.persistent
        (True, 'Tensor', True)
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        if not isinstance(data, Tensor):
            raise TypeError(f"expected Tensor as element 0 in argument 0, but got "
                            f"{type(data).__name__}")
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
