"""ember.autograd: automatic differentiation of arbitrary scalar valued functions."""
from __future__ import annotations

from . import grad_mode
from .anomaly import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                      set_detect_anomaly)
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .gradcheck import gradcheck, gradgradcheck
from . import functional, graph  # noqa: E402

from . import engine as _engine
from ..backend import get_xp
from ..backend.cpu import ndarray as _ndarray
from ..backend.cpu import xp as _cpu_xp
from .engine import run_backward

__all__ = ["Variable", "Function", "FunctionCtx", "once_differentiable", "backward", "grad",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "grad_mode", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "functional", "graph"]


def __getattr__(name):
    # ``Variable`` is an alias of Tensor, as in torch; ember._tensor imports this package
    # first, so the name is resolved on access
    if name == "Variable":
        from .._tensor import Tensor
        return Tensor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _tensors(x):
    if x is None:
        return None
    if isinstance(x, _engine.Tensor):
        return [x]
    return list(x)


def _root_grads(outputs, grad_outputs, create_graph):
    grads = []
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, _engine.Tensor):
        grad_outputs = [grad_outputs]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs: got "
                           f"{len(grad_outputs)} gradients for {len(outputs)} outputs")
    for out, g in zip(outputs, grad_outputs):
        if not out._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            d = out._data
            arr = (_cpu_xp if type(d) is _ndarray else get_xp(d)).ones(d.shape, d.dtype)
            grads.append(_engine._make(arr, False, None, 0) if create_graph else arr)
        else:
            if g._data.shape != out._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                                   f"{list(g.shape)} and output[0] has a shape of "
                                   f"{list(out.shape)}.")
            grads.append(g if create_graph else g._data)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Compute the sum of gradients of given tensors with respect to graph leaves."""
    tensors = _tensors(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    grads = _root_grads(tensors, grad_tensors, create_graph)
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Compute and return the sum of gradients of outputs with respect to the inputs."""
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_grads(outputs, grad_outputs, create_graph)
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, capture=True,
                       allow_unused=allow_unused)
    if materialize_grads:
        from ..ops.creation import zeros_like
        res = [zeros_like(t) if r is None else r for r, t in zip(res, inputs)]
    return tuple(res)
