"""einsum (with torch's equation checks and its sublist form) and tensordot.

einsum's backward is an einsum per operand: the output's subscripts against the other
operands' give each operand's gradient, so double backward is einsum again.
"""
from __future__ import annotations

import collections
import functools

from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor
from ._util import type_name as _tname, wrap_dim

__all__ = ["einsum", "tensordot"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _same_dtype(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")


# ---------------------------------------------------------------- einsum
@functools.lru_cache(maxsize=512)
def _parse_einsum(equation, ndims):
    """-> (operand subscripts, output subscripts) with every ellipsis spelled out as letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(ndims):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(ndims):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    for ch in eq:
        if ch not in _LETTERS and ch not in ".,->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(ch)} in "
                               f"the equation string, subscripts must be in [a-zA-Z]")
    used = set(c for c in eq if c in _LETTERS)
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for i, (t, nd) in enumerate(zip(terms, ndims)):
        letters = len(t.replace("...", ""))
        if "..." in t:
            if t.count("...") > 1 or t.replace("...", "").count(".") or letters > nd:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({letters}) is more than the number of dimensions ({nd}) "
                                   f"for operand {i}")
            n_ell = max(n_ell, nd - letters)
        elif "." in t:
            raise RuntimeError("einsum(): found '.' for operand 0 that is not part of any "
                               "ellipsis")
        elif letters != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) "
                               f"does not match the number of dimensions ({nd}) for operand {i} "
                               "and no ellipsis was given")
    ell = "".join(spare[:n_ell])
    out_terms = []
    for t, nd in zip(terms, ndims):
        if "..." in t:
            k = nd - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k:] if k else "")
        out_terms.append(t)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
            if c not in lhs and c not in ell:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
    else:
        counts = collections.Counter("".join(terms).replace(".", ""))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return tuple(out_terms), out


def _einsum_call(xp, graph, eq, ops):
    if graph:
        return xp.einsum(eq, *ops)
    out = xp.einsum(eq, *ops, optimize=len(ops) > 2 or (len(ops) == 2 and "greedy"))
    return xp.asarray(out)


def _bcast(xp, x, shape, graph):
    if tuple(x.shape) == shape:
        return x
    return x.expand(shape) if graph else xp.broadcast_to(x, shape)


class Einsum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, spec, *ops):
        terms, out_sub = spec
        dt = ops[0].dtype
        for o in ops[1:]:
            if o.dtype != dt:
                raise RuntimeError(f"expected scalar type {_tname(dt)} but found "
                                   f"{_tname(o.dtype)}")
        sizes = {}
        for i, (o, t) in enumerate(zip(ops, terms)):
            local = {}
            for c, n in zip(t, o.shape):
                if c in local and local[c] != n:
                    raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but "
                                       f"the sizes don't match, {n} != {local[c]}")
                local[c] = n
                prev = sizes.get(c)
                if prev is None or prev == 1:
                    sizes[c] = n
                elif n != 1 and n != prev:
                    raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} "
                                       f"which does not broadcast with previously seen size "
                                       f"{prev}")
        ctx.save_for_backward(*ops)
        ctx.terms, ctx.out_sub, ctx.sizes = terms, out_sub, sizes
        xp = ctx.xp
        full = [_bcast(xp, o, tuple(sizes[c] for c in t), False) for o, t in zip(ops, terms)]
        out = _einsum_call(xp, False, ",".join(terms) + "->" + out_sub, full)
        if out.base is not None and any(out.base is o or out.base is o.base for o in ops):
            out = out.copy()
        return out

    @staticmethod
    def backward(ctx, g):
        terms, out_sub, sizes = ctx.terms, ctx.out_sub, ctx.sizes
        ops = ctx.saved_tensors
        graph = ctx.create_graph
        xp = ctx.xp
        full = [_bcast(xp, o, tuple(sizes[c] for c in t), graph) for o, t in zip(ops, terms)]
        grads = [None]
        for k, need in enumerate(ctx.needs_input_grad[1:]):
            if not need:
                grads.append(None)
                continue
            subs = [out_sub] + [t for j, t in enumerate(terms) if j != k]
            args = [g] + [f for j, f in enumerate(full) if j != k]
            used = set("".join(terms)) | set(out_sub)
            fresh = iter([c for c in _LETTERS if c not in used])
            target, seen = [], set()
            raw = _raw(ops[k])
            bk = get_xp(raw)
            for c in terms[k]:
                if c in seen:    # a repeated subscript: a diagonal, scattered by a delta
                    f = next(fresh)
                    subs.append(c + f)
                    args.append(bk.eye(sizes[c], dtype=raw.dtype))
                    target.append(f)
                else:
                    seen.add(c)
                    target.append(c)
            have = set("".join(subs))
            for c in target:     # summed only inside this operand: broadcast back by ones
                if c not in have:
                    have.add(c)
                    subs.append(c)
                    args.append(bk.ones(sizes[c], dtype=raw.dtype))
            eq = ",".join(subs) + "->" + "".join(target)
            grads.append(_einsum_call(xp, graph, eq, args))
        return tuple(grads)


def _sublist_equation(args):
    """torch.einsum(op1, sublist1, op2, sublist2, ..., [sublist_out])."""
    def letters(sub):
        s = ""
        for v in sub:
            if v is Ellipsis:
                s += "..."
            else:
                if not 0 <= v < 52:
                    raise RuntimeError("einsum(): subscript in subscript list is not within the "
                                       f"valid range [0, 52), got {v}")
                s += _LETTERS[v]
        return s
    ops = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(ops) > len(subs):
        out = ops.pop()
    eq = ",".join(letters(s) for s in subs)
    if out is not None:
        eq += "->" + letters(out)
    return eq, ops


def einsum(*args):
    r"""einsum(equation, *operands) -> Tensor

    Sums the product of the elements of the input ``operands`` along dimensions specified
    using a notation based on the Einstein summation convention. ``equation`` names each
    operand's dimensions with letters ``[a-zA-Z]``, optionally with an ellipsis ``...`` for
    broadcast dimensions, and the output's after ``->`` (implicitly: the letters appearing once,
    in alphabetical order). Operands may also be given as one list, or in the sublist format
    ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])``.

    Example::

        >>> import ember
        >>> ember.einsum("ij,jk->ik", ember.ones(2, 3), ember.ones(3, 4)).shape
        ember.Size([2, 4])
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    equation = args[0]
    if isinstance(equation, str):
        ops = args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
    else:
        equation, ops = _sublist_equation(args)
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    spec = _parse_einsum(equation, tuple(o.ndim for o in ops))
    return Einsum.apply(spec, *ops)


def tensordot(a, b, dims=2, out=None):
    """Returns a contraction of ``a`` and ``b`` over multiple dimensions: ``dims`` is the number
    of trailing dimensions of ``a`` contracted with the leading ones of ``b``, or a pair of
    lists of dimensions."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = [wrap_dim(d, a.ndim) for d in da]
        db = [wrap_dim(d, b.ndim) for d in db]
    _same_dtype(a, b)
    la = list(_LETTERS[:a.ndim])
    lb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
        lb[y] = la[x]
    out_sub = "".join(c for i, c in enumerate(la) if i not in da) + \
        "".join(c for i, c in enumerate(lb) if i not in db)
    return einsum("".join(la) + "," + "".join(lb) + "->" + out_sub, a, b)
