"""Full backward hooks of modules: identity Functions around a module's inputs and outputs."""
from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.function import Function


class _Identity(Function):
    """Passes tensors through; its backward hands the incoming gradients to a callback."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        new = ctx.callback(grads)
        return (None,) + tuple(new if new is not None else grads)


class BackwardHook:
    """Calls ``hook(module, grad_input, grad_output)`` once the gradients with respect to the
    module's tensor inputs are known, and pre-hooks ``hook(module, grad_output)``."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_positions = []

    def _wrap(self, values, callback):
        positions = [i for i, v in enumerate(values)
                     if isinstance(v, Tensor) and v.requires_grad]
        if not positions:
            return values, positions
        outs = _Identity.apply(callback, *[values[i] for i in positions])
        values = list(values)
        for i, o in zip(positions, outs):
            values[i] = o
        return values, positions

    def setup_input_hook(self, args):
        def on_input_grads(grads):
            res = None
            for hook in self.hooks:
                out = hook(self.module, tuple(grads), self.grad_outputs)
                if out is not None:
                    grads = tuple(out)
                    res = grads
            return res
        values, self.input_positions = self._wrap(list(args), on_input_grads)
        return tuple(values)

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        values = list(result) if is_tuple else [result]

        def on_output_grads(grads):
            res = None
            for hook in self.pre_hooks:
                out = hook(self.module, tuple(grads))
                if out is not None:
                    grads = tuple(out) if isinstance(out, (tuple, list)) else (out,)
                    res = grads
            self.grad_outputs = tuple(grads)
            if not self.input_positions:
                for hook in self.hooks:
                    hook(self.module, (None,), self.grad_outputs)
            return res
        values, _ = self._wrap(values, on_output_grads)
        return tuple(values) if is_tuple else values[0]
