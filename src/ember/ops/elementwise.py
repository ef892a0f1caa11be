"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops.

Each primitive is a Function whose backward sits right under its forward. Backward formulas
are duck-typed over arrays and Tensors (``ctx.xp`` is numpy/cupy or ``ember``), and return
gradients in the inputs' broadcast shape: the engine sums and casts them back.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._util import inplace, promote, to_float

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
           "negative", "exp", "log", "relu"]


# ---------------------------------------------------------------- arithmetic
class Add(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b = promote(a, b)
        ctx.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


def add(input, other, *, alpha=1, out=None):
    """Adds ``other``, scaled by ``alpha``, to ``input``."""
    return Add.apply(input, other, alpha=alpha)


class Sub(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b = promote(a, b)
        if getattr(a, "dtype", None) is not None and a.dtype.kind == "b" \
                and getattr(b, "dtype", a.dtype).kind == "b":
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


def sub(input, other, *, alpha=1, out=None):
    """Subtracts ``other``, scaled by ``alpha``, from ``input``."""
    return Sub.apply(input, other, alpha=alpha)


subtract = sub


def rsub(input, other, *, alpha=1):
    return Sub.apply(other, input, alpha=alpha)


class Mul(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


def mul(input, other, *, out=None):
    """Multiplies ``input`` by ``other``."""
    return Mul.apply(input, other)


multiply = mul


class Div(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        if getattr(a, "dtype", getattr(b, "dtype", None)).kind in "biu":
            a = to_float(a) if hasattr(a, "dtype") else float(a)
            b = to_float(b) if hasattr(b, "dtype") else float(b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g / b if need_a else None
        gb = -g * a / (b * b) if need_b else None
        return ga, gb


def div(input, other, *, rounding_mode=None, out=None):
    """Divides ``input`` by ``other`` (true division unless ``rounding_mode`` is 'trunc' or
    'floor')."""
    if rounding_mode is None:
        return Div.apply(input, other)
    return _rounded_div(input, other, rounding_mode)


divide = true_divide = div


def rdiv(input, other):
    return Div.apply(other, input)


class Neg(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def neg(input, *, out=None):
    """Returns a new tensor with the negative of the elements of ``input``."""
    return Neg.apply(input)


negative = neg


# ---------------------------------------------------------------- math functions
class Exp(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.exp(to_float(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out


def exp(input, *, out=None):
    """Returns a new tensor with the exponential of the elements of ``input``."""
    return Exp.apply(input)


class Log(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(to_float(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / a


def log(input, *, out=None):
    """Returns a new tensor with the natural logarithm of the elements of ``input``."""
    return Log.apply(input)


class Relu(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        mask = a > 0
        ctx.save_for_backward(mask)
        return a * mask

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        return g * mask


def relu(input):
    """Applies the rectified linear unit function element-wise."""
    return Relu.apply(input)


TENSOR_METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "neg": neg, "negative": neg, "exp": exp, "log": log,
    "relu": relu,
    "add_": lambda self, other, *, alpha=1: inplace(add, self, other, alpha=alpha),
    "sub_": lambda self, other, *, alpha=1: inplace(sub, self, other, alpha=alpha),
    "mul_": lambda self, other: inplace(mul, self, other),
    "div_": lambda self, other, *, rounding_mode=None: inplace(div, self, other,
                                                              rounding_mode=rounding_mode),
    "neg_": lambda self: inplace(neg, self),
    "exp_": lambda self: inplace(exp, self),
    "log_": lambda self: inplace(log, self),
    "relu_": lambda self: inplace(relu, self),
    "__add__": add, "__radd__": add, "__iadd__": lambda self, other: inplace(add, self, other),
    "__sub__": sub, "__rsub__": rsub,
    "__isub__": lambda self, other: inplace(sub, self, other),
    "__mul__": mul, "__rmul__": mul,
    "__imul__": lambda self, other: inplace(mul, self, other),
    "__truediv__": div, "__rtruediv__": rdiv,
    "__itruediv__": lambda self, other: inplace(div, self, other),
    "__neg__": neg,
}
