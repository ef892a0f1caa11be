"""Linear algebra: matmul and its family, einsum, and ``ember.linalg``'s decompositions.

Backward formulas are written once, duck-typed over arrays and Tensors: they use ``matmul``,
``swapaxes``, ``reshape``, arithmetic and ``xp.linalg.inv`` / ``xp.linalg.solve`` (which
``ember.linalg`` provides), so ``create_graph=True`` gives double backward. Constant masks
(triangles, identities, signs) are built as raw arrays and multiply Tensors as constants.
"""
from __future__ import annotations

import collections
import functools
import math
import warnings

from .. import dtypes as _dt
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..backend import get_xp
from ._util import inplace, type_name, wrap_dim

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
           "addmv", "addmv_", "addbmm", "baddbmm", "addr", "einsum", "tensordot", "kron",
           "trace", "cross", "matrix_power", "matrix_exp", "chain_matmul", "det", "logdet",
           "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse", "pinverse",
           "svd", "qr"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class LinAlgError(RuntimeError):
    """Error raised by ``ember.linalg`` when a matrix is singular, not positive-definite, or a
    decomposition does not converge (``torch.linalg.LinAlgError``)."""


# namedtuples as torch.return_types
SlogdetResult = collections.namedtuple("slogdet", ["sign", "logabsdet"])
QRResult = collections.namedtuple("qr", ["Q", "R"])
SVDResult = collections.namedtuple("svd", ["U", "S", "Vh"])
SvdResult = collections.namedtuple("svd", ["U", "S", "V"])
EighResult = collections.namedtuple("eigh", ["eigenvalues", "eigenvectors"])
InvExResult = collections.namedtuple("inv_ex", ["inverse", "info"])
CholeskyExResult = collections.namedtuple("cholesky_ex", ["L", "info"])


# ---------------------------------------------------------------- helpers
def _mT(x):
    return x.swapaxes(-1, -2)


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _row(x):   # (..., k) -> (..., 1, k)
    return x.reshape(tuple(x.shape[:-1]) + (1, x.shape[-1]))


def _col(x):   # (..., k) -> (..., k, 1)
    return x.reshape(tuple(x.shape) + (1,))


def _eye(x, n, m=None):
    """A constant identity (raw array) of ``x``'s dtype and backend."""
    r = _raw(x)
    return get_xp(r).eye(n, n if m is None else m, dtype=r.dtype)


def _tril_mask(x, n, k=0):
    r = _raw(x)
    xp = get_xp(r)
    return xp.tril(xp.ones((n, n), dtype=r.dtype), k)


def _const(arr):
    return _make(arr, False, None, 0)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _tname(np_dtype):
    return type_name(np_dtype)


def _check_float(name, a, what="input"):
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as {what}. "
                           f"Got {_tname(a.dtype)}")


def _check_square(name, a, arg="A"):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _check_matrix(name, a, arg="A"):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _broadcast_shapes(sa, sb):
    """Broadcast two shapes with torch's error message."""
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + tuple(sa)
    sb = (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def _check_expand(shape, target):
    """torch's ``expand`` check: ``shape`` must broadcast to ``target``."""
    if len(shape) > len(target):
        raise RuntimeError(f"expand: the number of sizes provided ({len(target)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(target) - len(shape)
    for i, s in enumerate(shape):
        t = target[lead + i]
        if s != 1 and s != t:
            raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing "
                               f"size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _backend_error(a):
    return get_xp(a).linalg.LinAlgError


# ---------------------------------------------------------------- matmul
def _matmul_error(sa, sb):
    """The message torch gives for a matmul of shapes ``sa`` and ``sb`` that cannot multiply."""
    da, db = len(sa), len(sb)
    if da == 0 or db == 0:
        return (f"both arguments to matmul need to be at least 1D, but they are {da}D and "
                f"{db}D")
    if da == 1 and db == 1:
        return (f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if db == 1:
        m = _prod(sa[:-1])
        return f"size mismatch, got input ({m}), mat ({m}x{sa[-1]}), vec ({sb[0]})"
    if db == 2:
        m = _prod(sa[:-1])
        return (f"mat1 and mat2 shapes cannot be multiplied ({m}x{sa[-1]} and "
                f"{sb[0]}x{sb[1]})")
    batch = _broadcast_shapes(sa[:-2], sb[:-2])
    n = _prod(batch)
    return (f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {sa[-1]}] "
            f"but got: [{n}, {sb[-2]}].")


def _matmul_checks(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_tname(a.dtype).lower()} != {_tname(b.dtype).lower()}")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


class Matmul(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype != b.dtype or a.dtype.kind == "b":
            _matmul_checks(a, b)
        ctx.save_for_backward(a, b)
        try:
            if b.ndim == 2 and a.ndim > 2:
                # one GEMM for the whole batch: (..., m, k) @ (k, n)
                lead = a.shape[:-1]
                return (a.reshape((_prod(lead), a.shape[-1])) @ b).reshape(lead + (b.shape[1],))
            out = a @ b
        except ValueError:
            raise RuntimeError(_matmul_error(a.shape, b.shape)) from None
        return out if a.ndim > 1 or b.ndim > 1 else ctx.xp.asarray(out)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        xp = ctx.xp
        ga = gb = None
        an, bn = a.ndim, b.ndim
        if an == 1 and bn == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        if an == 1:
            # (k) @ (..., k, n) -> (..., n)
            if need_a:
                ga = xp.matmul(b, _col(g)).reshape(tuple(b.shape[:-1])) if bn > 2 else \
                    xp.matmul(b, g)
            if need_b:
                gb = _col(a) * _row(g)
            return ga, gb
        if bn == 1:
            # (..., m, k) @ (k) -> (..., m)
            if need_a:
                ga = _col(g) * b
            if need_b:
                if an == 2:
                    gb = xp.matmul(g, a)
                else:
                    k = a.shape[-1]
                    gb = xp.matmul(g.reshape((_prod(g.shape),)), a.reshape((-1, k)) if
                                   _prod(a.shape) else a.reshape((0, k)))
            return ga, gb
        if bn == 2 and an > 2:
            # fold the batch into one GEMM each way
            k, n = b.shape
            m = _prod(a.shape[:-1])
            g2 = g.reshape((m, n))
            if need_a:
                ga = xp.matmul(g2, _mT(b)).reshape(tuple(a.shape))
            if need_b:
                gb = xp.matmul(_mT(a.reshape((m, k))), g2)
            return ga, gb
        if need_a:
            ga = xp.matmul(g, _mT(b))
        if need_b:
            gb = xp.matmul(_mT(a), g)
        return ga, gb


def matmul(input, other, *, out=None):
    r"""Matrix product of two tensors.

    The behavior depends on the dimensionality of the tensors: 1-D x 1-D is a dot product,
    2-D x 2-D a matrix-matrix product, 1-D arguments are promoted to matrices by prepending
    (first argument) or appending (second argument) a dimension that is removed afterwards,
    and N-D arguments are batched matrix multiplies whose batch dimensions broadcast.

    Example::

        >>> import ember
        >>> ember.matmul(ember.ones(2, 3), ember.ones(3)).shape
        ember.Size([2])
    """
    return Matmul.apply(input, other)


def mm(input, mat2, *, out=None):
    """Performs a matrix multiplication of the matrices ``input`` and ``mat2`` ((n x m) @ (m x p)
    -> (n x p)). This function does not broadcast."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return Matmul.apply(input, mat2)


def _check_bmm(b1, b2, name1="batch1", name2="batch2"):
    if b1.ndim != 3:
        raise RuntimeError(f"{name1} must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError(f"{name2} must be a 3D tensor")
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, "
                           f"{b2.shape[1]}].")


def bmm(input, mat2, *, out=None):
    """Performs a batch matrix-matrix product of matrices stored in ``input`` and ``mat2``
    ((b x n x m) @ (b x m x p) -> (b x n x p)). This function does not broadcast."""
    _check_bmm(input, mat2)
    return Matmul.apply(input, mat2)


def _check_mv(mat, vec):
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {mat.ndim}, {vec.ndim}")
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({mat.shape[0]}), mat "
                           f"({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")


def mv(input, vec, *, out=None):
    """Performs a matrix-vector product of the matrix ``input`` and the vector ``vec``."""
    _check_mv(input, vec)
    return Matmul.apply(input, vec)


def dot(input, tensor, *, out=None):
    """Computes the dot product of two 1D tensors."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D "
                           "tensors")
    if input.dtype != tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_tname(input._data.dtype)} and {_tname(tensor._data.dtype)}")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(_matmul_error(input.shape, tensor.shape))
    return Matmul.apply(input, tensor)


def vdot(input, other, *, out=None):
    """Computes the dot product of two 1D vectors along a dimension, conjugating the first."""
    if input.is_complex():
        from .. import conj
        input = conj(input)
    return dot(input, other)


def _same_dtype(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")


def inner(input, other, *, out=None):
    """Computes the dot product for 1D tensors; for higher dimensions, sums the product of
    elements from ``input`` and ``other`` along their last dimension."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    _same_dtype(input, other)
    la, lb = _LETTERS[:input.ndim - 1], _LETTERS[input.ndim - 1:input.ndim + other.ndim - 2]
    return einsum(f"{la}z,{lb}z->{la}{lb}", input, other)


def outer(input, vec2, *, out=None):
    """Outer product of ``input`` and ``vec2``: if ``input`` has size n and ``vec2`` size m,
    the result is a matrix of size (n x m)."""
    if input.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return input.reshape(input.shape[0], 1) * vec2


ger = outer


# ---------------------------------------------------------------- beta * input + alpha * (...)
class AddScaled(Function):
    """``beta * input + alpha * x`` where ``input`` broadcasts to ``x``; ``input`` is ignored
    (NaN included) when ``beta`` is 0, as in torch's addmm family."""
    _arrays = True

    @staticmethod
    def forward(ctx, inp, x, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        out = x if alpha == 1 else x * alpha
        if beta == 0:
            return out.copy() if out is x else out
        return out + (inp if beta == 1 else inp * beta)

    @staticmethod
    def backward(ctx, g):
        beta, alpha = ctx.beta, ctx.alpha
        return (g if beta == 1 else g * beta), (g if alpha == 1 else g * alpha), None, None


def _add_scaled(name, input, prod, beta, alpha):
    _check_expand(tuple(input.shape), tuple(prod.shape))
    if input.dtype != prod.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_tname(input._data.dtype)} and {_tname(prod._data.dtype)}")
    return AddScaled.apply(input, prod, beta, alpha)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    r"""Performs a matrix multiplication of the matrices ``mat1`` and ``mat2``; ``input`` is
    added to the final result: :math:`\beta\ \text{input} + \alpha\ (\text{mat1} \mathbin{@}
    \text{mat2})`. If ``beta`` is 0, ``input`` is ignored (nan and inf in it are not
    propagated)."""
    if mat1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.ndim}-D tensor")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    return _add_scaled("addmm", input, Matmul.apply(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    r"""Performs a matrix-vector product of the matrix ``mat`` and the vector ``vec``;
    ``input`` is added to the final result: :math:`\beta\ \text{input} + \alpha\ (\text{mat}
    \mathbin{@} \text{vec})`."""
    _check_mv(mat, vec)
    if input.ndim > 1 or (input.ndim == 1 and input.shape[0] not in (1, mat.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), "
                           f"mat ({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")
    return _add_scaled("addmv", input, Matmul.apply(mat, vec), beta, alpha)


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    return inplace(addmv, input, mat, vec, beta=beta, alpha=alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    r"""Performs the outer-product of vectors ``vec1`` and ``vec2`` and adds it to the matrix
    ``input``: :math:`\beta\ \text{input} + \alpha\ (\text{vec1} \otimes \text{vec2})`."""
    if vec1.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return _add_scaled("addr", input, outer(vec1, vec2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    r"""Performs a batch matrix-matrix product of matrices in ``batch1`` and ``batch2``;
    ``input`` is added to the final result: :math:`\beta\ \text{input} + \alpha\
    (\text{batch1}_i \mathbin{@} \text{batch2}_i)`."""
    _check_bmm(batch1, batch2)
    return _add_scaled("baddbmm", input, Matmul.apply(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    r"""Performs a batch matrix-matrix product of matrices stored in ``batch1`` and ``batch2``,
    with a reduced add step (all matrix multiplications get accumulated along the first
    dimension); ``input`` is added to the final result."""
    _check_bmm(batch1, batch2)
    return _add_scaled("addbmm", input, einsum("bij,bjk->ik", batch1, batch2), beta, alpha)


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


def kron(input, other, *, out=None):
    r"""Computes the Kronecker product, denoted by :math:`\otimes`, of ``input`` and ``other``."""
    dt = _dt.result_type(input, other)
    if input.dtype != dt:
        input = input.to(dt)
    if other.dtype != dt:
        other = other.to(dt)
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    la, lb = _LETTERS[:nd], _LETTERS[nd:2 * nd]
    res = einsum(f"{la},{lb}->" + "".join(x + y for x, y in zip(la, lb)),
                 input.reshape(sa), other.reshape(sb))
    return res.reshape(tuple(x * y for x, y in zip(sa, sb)))


def trace(input):
    """Returns the sum of the elements of the diagonal of the input 2-D matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input._data.dtype.kind in "biu" and input.dtype is not _dt.int64:
        input = input.to(_dt.int64)
    m, n = input.shape
    if m == n:
        return einsum("ii->", input)
    return einsum("ij,ij->", input, _eye(input, m, n))


# ---------------------------------------------------------------- cross product
class Cross(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return ctx.xp.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        d = ctx.dim
        if ctx.create_graph:
            return ((Cross.apply(b, g, d) if need_a else None),
                    (Cross.apply(g, a, d) if need_b else None), None)
        xp = ctx.xp
        return ((xp.cross(b, g, axis=d) if need_a else None),
                (xp.cross(g, a, axis=d) if need_b else None), None)


def _cross(name, input, other, dim):
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {_tname(input._data.dtype)} but found "
                           f"{_tname(other._data.dtype)}")
    shape = _broadcast_shapes(input.shape, other.shape)
    if dim is None:
        dims = [i for i, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=3)
        dim = dims[0]
    d = wrap_dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return Cross.apply(input, other, d - len(shape))


def cross(input, other, dim=None, *, out=None):
    """Returns the cross product of vectors in dimension ``dim`` of ``input`` and ``other``
    (the first dimension of size 3 when ``dim`` is not given)."""
    return _cross("linalg.cross", input, other, dim)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Computes the cross product of two 3-dimensional vectors, broadcasting over the batch
    dimensions."""
    return _cross("linalg.cross", input, other, dim)


# ---------------------------------------------------------------- powers, chains
def matrix_power(A, n, *, out=None):
    """Computes the ``n``-th power of a square matrix for an integer ``n``: the identity for
    ``n = 0``, the inverse's power for ``n < 0``."""
    _check_square("linalg.matrix_power", A)
    if n < 0:
        _check_float("linalg.inv", A._data)
        A = inv(A)
        n = -n
    if n == 0:
        from .creation import eye
        e = eye(A.shape[-1], dtype=A.dtype)
        return e.expand(tuple(A.shape)).clone() if A.ndim > 2 else e
    if n == 1:
        return A.clone()
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else Matmul.apply(result, base)
        n >>= 1
        if n:
            base = Matmul.apply(base, base)
    return result


def chain_matmul(*matrices, out=None):
    """Returns the matrix product of the 2-D tensors (deprecated in favor of
    ``ember.linalg.multi_dot``)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 1:
        return matrices[0].clone()
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    return multi_dot(matrices)


def multi_dot(tensors, *, out=None):
    """Efficiently multiplies two or more matrices by reordering the multiplications so that the
    fewest arithmetic operations are performed. The first argument may be 1-D (a row vector) and
    the last 1-D (a column vector)."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first_1d = tensors[0].ndim == 1
    last_1d = tensors[-1].ndim == 1
    for i, t in enumerate(tensors):
        want1 = (i == 0 and first_1d) or (i == n - 1 and last_1d)
        if t.ndim != 2 and not (want1 and t.ndim == 1):
            if i in (0, n - 1):
                raise RuntimeError(f"multi_dot(): the {'first' if i == 0 else 'last'} tensor "
                                   f"must be 1D or 2D but got {t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    dt = tensors[0].dtype
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype != dt:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {dt} and tensor {i} {t.dtype}")
    if first_1d:
        tensors[0] = tensors[0].reshape(1, tensors[0].shape[0])
    if last_1d:
        tensors[-1] = tensors[-1].reshape(tensors[-1].shape[0], 1)
    for i in range(n - 1):
        if tensors[i].shape[1] != tensors[i + 1].shape[0]:
            a, b = tensors[i].shape, tensors[i + 1].shape
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{a[0]}x{a[1]} and {b[0]}x{b[1]} cannot be multiplied")
    dims = [tensors[0].shape[0]] + [t.shape[1] for t in tensors]
    # the textbook dynamic program for the cheapest parenthesization
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def chain(i, j):
        if i == j:
            return tensors[i]
        k = split[i][j]
        return Matmul.apply(chain(i, k), chain(k + 1, j))

    res = chain(0, n - 1)
    if first_1d and last_1d:
        return res.reshape(())
    if first_1d:
        return res.reshape(res.shape[1])
    if last_1d:
        return res.reshape(res.shape[0])
    return res


# ---------------------------------------------------------------- determinants
class Det(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.asarray(ctx.xp.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved_tensors
        xp = ctx.xp
        gd = (g * det).reshape(tuple(det.shape) + (1, 1))
        if ctx.create_graph:
            return gd * _mT(xp.linalg.inv(a))
        if (det == 0).any():
            return g.reshape(tuple(g.shape) + (1, 1)) * _cofactor(xp, a)
        return gd * _mT(xp.linalg.inv(a))


def _cofactor(xp, a):
    """The cofactor matrix det(A) A^{-T}, valid for singular A too (via the SVD)."""
    u, s, vh = xp.linalg.svd(a)
    n = s.shape[-1]
    ones = xp.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    pre = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    suf = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s, -1)[..., :-1]], axis=-1),
                             axis=-1), -1)
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    sign = xp.asarray(sign).reshape(sign.shape + (1, 1)) if n else 1
    return sign * xp.matmul(u * (pre * suf)[..., None, :], vh)


def det(A, *, out=None):
    """Computes the determinant of a square matrix (or of each matrix of a batch)."""
    _check_square("linalg.det", A)
    _check_float("linalg.det", A._data)
    return Det.apply(A)


class Slogdet(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        xp = ctx.xp
        sign, logabs = xp.linalg.slogdet(a)
        sign = xp.asarray(sign, dtype=a.dtype)
        logabs = xp.asarray(logabs, dtype=a.real.dtype if a.dtype.kind == "c" else a.dtype)
        ctx.save_for_backward(a)
        ctx.mark_non_differentiable(sign)
        ctx.set_materialize_grads(False)
        return sign, logabs

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        if g_logabs is None:
            return (None,)
        a, = ctx.saved_tensors
        return g_logabs.reshape(tuple(g_logabs.shape) + (1, 1)) * _mT(ctx.xp.linalg.inv(a))


def slogdet(A, *, out=None):
    """Computes the sign and natural logarithm of the absolute value of the determinant of a
    square matrix; returns the named tuple ``(sign, logabsdet)``."""
    _check_square("linalg.slogdet", A)
    _check_float("linalg.slogdet", A._data)
    return SlogdetResult(*Slogdet.apply(A))


def logdet(input):
    """Calculates the log determinant of a square matrix or batches of square matrices
    (``nan`` for a negative determinant, ``-inf`` for a zero one)."""
    _check_square("linalg.slogdet", input)
    _check_float("linalg.slogdet", input._data)
    sign, logabs = Slogdet.apply(input)
    s = sign._data
    xp = get_xp(s)
    fix = xp.where(s > 0, 0.0, xp.where(s < 0, xp.nan, -xp.inf)).astype(s.dtype)
    return logabs + _const(fix)


# ---------------------------------------------------------------- inverse and solve
def _lu_zero_pivot(m):
    """1-based index of the first zero pivot of an LU factorization with partial pivoting."""
    m = m.astype("float64").copy()
    n = m.shape[-1]
    for k in range(n):
        p = k + int(abs(m[k:, k]).argmax())
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:, k:] -= (m[k + 1:, k] / m[k, k])[:, None] * m[k, k:]
    return n


def _first_failure(a, test):
    """(batch index or None, matrix) of the first matrix of ``a`` for which ``test`` fails."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i in range(flat.shape[0]):
        if not test(flat[i]):
            return (i if a.ndim > 2 else None), flat[i]
    return None, flat[0]


def _singular_error(name, a):
    xp = get_xp(a)

    def ok(m):
        try:
            xp.linalg.inv(m)
            return True
        except xp.linalg.LinAlgError:
            return False
    batch, m = _first_failure(a, ok)
    prefix = f"{name}: " + ("" if batch is None else f"(Batch element {batch}): ")
    return LinAlgError(prefix + f"The diagonal element {_lu_zero_pivot(m)} is zero, the "
                       "inversion could not be completed because the input matrix is singular.")


class Inv(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        try:
            out = ctx.xp.linalg.inv(a)
        except _backend_error(a):
            raise _singular_error("linalg.inv", a) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        ai, = ctx.saved_tensors
        xp = ctx.xp
        aiT = _mT(ai)
        return -xp.matmul(aiT, xp.matmul(g, aiT))


def inv(A, *, out=None):
    """Computes the inverse of a square matrix, if it exists; raises
    :class:`ember.linalg.LinAlgError` when it is not invertible."""
    _check_square("linalg.inv", A)
    _check_float("linalg.inv", A._data)
    return Inv.apply(A)


inverse = inv


def inv_ex(A, *, check_errors=False, out=None):
    """Computes the inverse of a square matrix if it is invertible; returns ``(inverse, info)``
    where ``info`` is non-zero for the matrices that are not."""
    _check_square("linalg.inv_ex", A)
    _check_float("linalg.inv_ex", A._data)
    xp = get_xp(A._data)
    info = xp.zeros(A.shape[:-2], dtype="int32")
    try:
        res = Inv.apply(A)
    except LinAlgError:
        if check_errors:
            raise
        flat = A._data.reshape((-1,) + A.shape[-2:])
        inf = info.reshape(-1)
        outs = []
        for i in range(flat.shape[0]):
            try:
                outs.append(xp.linalg.inv(flat[i]))
            except xp.linalg.LinAlgError:
                inf[i] = _lu_zero_pivot(flat[i])
                outs.append(xp.full(flat[i].shape, xp.nan, dtype=flat.dtype))
        res = _const(xp.stack(outs).reshape(A.shape))
    return InvExResult(res, _const(info))


class Solve(Function):
    """``A X = B`` for matrices ``B`` (..., n, k); batch dimensions broadcast."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        try:
            x = ctx.xp.linalg.solve(a, b)
        except _backend_error(a):
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                              "is singular.") from None
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = ctx.xp
        gb = xp.linalg.solve(_mT(a), g)
        ga = -xp.matmul(gb, _mT(x)) if ctx.needs_input_grad[0] else None
        return ga, (gb if ctx.needs_input_grad[1] else None)


def solve(A, B, *, left=True, out=None):
    """Computes the solution of a square system of linear equations with a unique solution:
    ``A X = B`` (``X A = B`` when ``left=False``). ``B`` is a (batch of) vector(s) when it is
    1-D or has the shape ``A.shape[:-1]``; batch dimensions broadcast."""
    _check_square("linalg.solve", A)
    _check_float("linalg.solve", A._data)
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_tname(A._data.dtype)} and B of type "
                           f"{_tname(B._data.dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if vector:      # a (batch of) column vector(s), for left=False too (as torch)
        B = B.reshape(tuple(B.shape) + (1,))
    n = A.shape[-1]
    ok = B.shape[-2] == n if left else B.shape[-1] == n
    if not ok:
        shp = f"{B.shape[-2]}x{B.shape[-1]}"
        eqn = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eqn} "
                           f"({n}x{n} and {shp})")
    _broadcast_shapes(A.shape[:-2], B.shape[:-2])
    if left:
        X = Solve.apply(A, B)
    else:
        X = _mT(Solve.apply(_mT(A), _mT(B)))
    if vector:
        X = X.reshape(tuple(X.shape[:-1]))
    return X


# ---------------------------------------------------------------- cholesky
def _not_pd_error(name, a):
    xp = get_xp(a)

    def ok(m):
        try:
            xp.linalg.cholesky(m)
            return True
        except xp.linalg.LinAlgError:
            return False
    batch, m = _first_failure(a, ok)
    order = next((k for k in range(1, m.shape[-1] + 1) if not ok(m[:k, :k])), m.shape[-1])
    prefix = f"{name}: " + ("" if batch is None else f"(Batch element {batch}): ")
    return LinAlgError(prefix + "The factorization could not be completed because the input is "
                       f"not positive-definite (the leading minor of order {order} is not "
                       "positive-definite).")


class Cholesky(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, upper):
        try:
            L = ctx.xp.linalg.cholesky(a)
        except _backend_error(a):
            raise _not_pd_error("linalg.cholesky", a) from None
        ctx.upper = upper
        out = _mT(L) if upper else L
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        xp = ctx.xp
        L, gL = (_mT(out), _mT(g)) if ctx.upper else (out, g)
        n = L.shape[-1]
        # gA = L^{-T} sym(Phi(L^T gL)) L^{-1}, Phi = lower triangle with halved diagonal
        T = xp.matmul(_mT(L), gL)
        P = T * (_tril_mask(L, n, -1) + 0.5 * _eye(L, n))
        S = (P + _mT(P)) * 0.5
        Lt = _mT(L)
        Z = xp.linalg.solve(Lt, S)
        return _mT(xp.linalg.solve(Lt, _mT(Z))), None


def cholesky(A, upper=False, *, out=None):
    """Computes the Cholesky decomposition ``A = L L^T`` of a symmetric positive-definite matrix
    (only its lower triangle is read); ``upper=True`` returns ``U = L^T``. Raises
    :class:`ember.linalg.LinAlgError` when ``A`` is not positive-definite."""
    _check_square("linalg.cholesky", A)
    _check_float("linalg.cholesky", A._data)
    return Cholesky.apply(A, bool(upper))


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Computes the Cholesky decomposition; returns ``(L, info)`` where ``info`` is the order of
    the leading minor that is not positive-definite (0 on success)."""
    _check_square("linalg.cholesky_ex", A)
    _check_float("linalg.cholesky_ex", A._data)
    xp = get_xp(A._data)
    info = xp.zeros(A.shape[:-2], dtype="int32")
    try:
        res = Cholesky.apply(A, bool(upper))
    except LinAlgError:
        if check_errors:
            raise
        flat = A._data.reshape((-1,) + A.shape[-2:])
        inf = info.reshape(-1)
        outs = []
        for i in range(flat.shape[0]):
            try:
                L = xp.linalg.cholesky(flat[i])
            except xp.linalg.LinAlgError:
                m = flat[i]
                inf[i] = next(k for k in range(1, m.shape[-1] + 1)
                              if not _pd(xp, m[:k, :k]))
                L = xp.zeros_like(m)
            outs.append(_mT(L) if upper else L)
        res = _const(xp.stack(outs).reshape(A.shape))
    return CholeskyExResult(res, _const(info))


def _pd(xp, m):
    try:
        xp.linalg.cholesky(m)
        return True
    except xp.linalg.LinAlgError:
        return False


def cholesky_solve(B, L, upper=False, *, out=None):
    """Computes the solution of ``A X = B`` given the Cholesky factor ``L`` of ``A``."""
    A = Matmul.apply(_mT(L), L) if upper else Matmul.apply(L, _mT(L))
    return solve(A, B)


def cholesky_inverse(L, upper=False, *, out=None):
    """Computes the inverse of a symmetric positive-definite matrix from its Cholesky factor."""
    A = Matmul.apply(_mT(L), L) if upper else Matmul.apply(L, _mT(L))
    return inv(A)


# ---------------------------------------------------------------- QR
def _qr_backward_tall(xp, Q, R, gQ, gR):
    """m >= n: gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q."""
    n = R.shape[-1]
    M = None
    if gR is not None:
        M = xp.matmul(R, _mT(gR))
    if gQ is not None:
        t = xp.matmul(_mT(gQ), Q)
        M = -t if M is None else M - t
    low = M * _tril_mask(R, n, -1)
    M = M * _eye(R, n) + low + _mT(low)
    b = xp.matmul(Q, M)
    if gQ is not None:
        b = b + gQ
    return _mT(xp.linalg.solve(R, _mT(b)))


class QR(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, mode):
        xp = ctx.xp
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            return xp.empty((0,), dtype=a.dtype), r
        q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        a, Q, R = ctx.saved_tensors
        m, n = a.shape[-2], a.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if gQ is None and gR is None:
            return None, None
        xp = ctx.xp
        if m >= n:
            return _qr_backward_tall(xp, Q, R, gQ, gR), None
        # wide: A = [X | Y], R = [U | V] with X = Q U square
        P1 = _eye(R, m, n)                  # (m, n): selects the first m columns
        P2 = _eye(R, n)[m:]                 # (n - m, n): the last n - m
        U = xp.matmul(R, _mT(P1))
        gU = gV = None
        if gR is not None:
            gU = xp.matmul(gR, _mT(P1))
            gV = xp.matmul(gR, _mT(P2))
        if gV is not None:
            Y = xp.matmul(a, _mT(P2))
            t = xp.matmul(Y, _mT(gV))
            gQ = t if gQ is None else gQ + t
        gA = xp.matmul(_qr_backward_tall(xp, Q, U, gQ, gU), P1)
        if gV is not None:
            gA = gA + xp.matmul(xp.matmul(Q, gV), P2)
        return gA, None


def linalg_qr(A, mode="reduced", *, out=None):
    """Computes the QR decomposition of a matrix: ``A = Q R`` with ``Q`` orthogonal and ``R``
    upper triangular. ``mode`` is ``'reduced'`` (default), ``'complete'`` or ``'r'`` (``Q`` is
    then empty); returns the named tuple ``(Q, R)``."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_matrix("linalg.qr", A)
    _check_float("linalg.qr", A._data)
    return QRResult(*QR.apply(A, mode))


def qr(input, some=True, *, out=None):
    """Computes the QR decomposition of a matrix or a batch of matrices (``some=False`` gives
    the complete decomposition). Deprecated in favor of ``ember.linalg.qr``."""
    return linalg_qr(input, "reduced" if some else "complete")


# ---------------------------------------------------------------- SVD and eigh
def _svd_backward(xp, U, S, Vh, gU, gS, gVh):
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    if gU is None and gVh is None:
        return xp.matmul(U * _row(gS), Vh) if gS is not None else None
    I = _eye(S, k)
    V = _mT(Vh)
    S2 = S * S
    E = _row(S2) - _col(S2) + I          # E_jk = S_k^2 - S_j^2 off the diagonal
    inner = None
    if gU is not None:
        UhgU = xp.matmul(_mT(U), gU)
        inner = (UhgU - _mT(UhgU)) * _row(S)
    if gVh is not None:
        gV = _mT(gVh)
        VhgV = xp.matmul(Vh, gV)
        t = _col(S) * (VhgV - _mT(VhgV))
        inner = t if inner is None else inner + t
    inner = inner / E
    if gS is not None:
        inner = inner + _row(gS) * I
    if m > k and gU is not None:
        gA = xp.matmul(U, inner)
        gUSinv = gU / _row(S)
        gA = gA + gUSinv - xp.matmul(U, xp.matmul(_mT(U), gUSinv))
        return xp.matmul(gA, Vh)
    if n > k and gVh is not None:
        gA = xp.matmul(inner, Vh)
        SinvgVh = _mT(gV) / _col(S)
        gA = gA + SinvgVh - xp.matmul(xp.matmul(SinvgVh, V), Vh)
        return xp.matmul(U, gA)
    return xp.matmul(xp.matmul(U, inner), Vh)


class SVD(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, full_matrices):
        try:
            u, s, vh = ctx.xp.linalg.svd(a, full_matrices=full_matrices)
        except _backend_error(a):
            raise LinAlgError("linalg.svd: The algorithm failed to converge because the input "
                              "matrix is ill-conditioned or has too many repeated singular "
                              "values.") from None
        ctx.full = full_matrices
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        xp = ctx.xp
        m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
        if ctx.full:      # the extra columns do not enter the gradient (torch narrows them)
            if m > k:
                Pm = _eye(S, m, k)
                U = xp.matmul(U, Pm)
                gU = None if gU is None else xp.matmul(gU, Pm)
            if n > k:
                Pn = _eye(S, k, n)
                Vh = xp.matmul(Pn, Vh)
                gVh = None if gVh is None else xp.matmul(Pn, gVh)
        return _svd_backward(xp, U, S, Vh, gU, gS, gVh), None


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """Computes the singular value decomposition ``A = U diag(S) Vh`` of a matrix; returns the
    named tuple ``(U, S, Vh)``. Singular values are in descending order. ``U`` and ``Vh`` are
    defined up to a sign of each singular vector: only gauge-invariant functions of them have
    well-defined gradients."""
    _check_matrix("linalg.svd", A)
    _check_float("linalg.svd", A._data)
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A, *, driver=None, out=None):
    """Computes the singular values of a matrix, in descending order."""
    _check_matrix("linalg.svdvals", A)
    _check_float("linalg.svdvals", A._data)
    if not A.requires_grad:
        return _const(get_xp(A._data).linalg.svd(A._data, compute_uv=False))
    return SVD.apply(A, False)[1]


def svd(input, some=True, compute_uv=True, *, out=None):
    """Computes the singular value decomposition ``input = U diag(S) V^T`` (deprecated in favor
    of ``ember.linalg.svd``); returns ``(U, S, V)``."""
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        xp = get_xp(U._data)
        return SvdResult(_const(xp.zeros_like(U._data)), S, _const(xp.zeros_like(Vh._data)))
    return SvdResult(U, S, _mT(Vh))


class Eigh(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, uplo):
        try:
            L, V = ctx.xp.linalg.eigh(a, UPLO=uplo)
        except _backend_error(a):
            raise LinAlgError("linalg.eigh: The algorithm failed to converge because the input "
                              "matrix is ill-conditioned or has too many repeated eigenvalues."
                              ) from None
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        xp = ctx.xp
        if gV is None:
            if gL is None:
                return None, None
            return xp.matmul(V * _row(gL), _mT(V)), None
        n = L.shape[-1]
        I = _eye(L, n)
        VhgV = xp.matmul(_mT(V), gV)
        VhgV = (VhgV - _mT(VhgV)) * 0.5
        E = _row(L) - _col(L) + I           # E_ij = L_j - L_i off the diagonal
        mid = VhgV / E
        if gL is not None:
            mid = mid + _row(gL) * I
        return xp.matmul(V, xp.matmul(mid, _mT(V))), None


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Computes the eigenvalue decomposition of a symmetric (Hermitian) matrix, reading only
    its lower (``UPLO='L'``) or upper triangle; returns ``(eigenvalues, eigenvectors)`` with
    the eigenvalues in ascending order. Eigenvectors are defined up to sign."""
    _check_square("linalg.eigh", A)
    _check_float("linalg.eigh", A._data)
    _check_uplo(UPLO)
    return EighResult(*Eigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    """Computes the eigenvalues of a symmetric (Hermitian) matrix, in ascending order."""
    _check_square("linalg.eigvalsh", A)
    _check_float("linalg.eigvalsh", A._data)
    _check_uplo(UPLO)
    if not A.requires_grad:
        return _const(get_xp(A._data).linalg.eigvalsh(A._data, UPLO=UPLO))
    return Eigh.apply(A, UPLO)[0]


# ---------------------------------------------------------------- pseudo-inverse
class Pinv(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = ctx.xp
        m, n = a.shape[-2], a.shape[-1]
        if rtol is None:
            rtol = 0.0 if (atol is not None and atol > 0) else \
                max(m, n) * float(xp.finfo(a.dtype).eps)
        atol = 0.0 if atol is None else atol
        if m == 0 or n == 0:
            out = xp.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
        elif hermitian:
            L, V = xp.linalg.eigh(a)
            absL = xp.abs(L)
            tol = xp.maximum(atol, rtol * absL.max(axis=-1, keepdims=True))
            keep = absL > tol
            Linv = xp.where(keep, 1 / xp.where(keep, L, 1), 0).astype(a.dtype)
            out = xp.matmul(V * Linv[..., None, :], _mT(V))
        else:
            U, S, Vh = xp.linalg.svd(a, full_matrices=False)
            tol = xp.maximum(atol, rtol * S[..., :1])
            keep = S > tol
            Sinv = xp.where(keep, 1 / xp.where(keep, S, 1), 0).astype(a.dtype)
            out = xp.matmul(_mT(Vh) * Sinv[..., None, :], _mT(U))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        xp = ctx.xp
        m, n = A.shape[-2], A.shape[-1]
        Ph, gh = _mT(P), _mT(g)
        if m <= n:
            K = xp.matmul(gh, P)
            KPh = xp.matmul(K, Ph)
            gA = -_mT(xp.matmul(P, K)) + KPh - xp.matmul(xp.matmul(A, P), KPh) + \
                xp.matmul(xp.matmul(Ph, P), gh - xp.matmul(K, A))
        else:
            K = xp.matmul(P, gh)
            PhK = xp.matmul(Ph, K)
            gA = -_mT(xp.matmul(K, P)) + xp.matmul(xp.matmul(gh - xp.matmul(A, K), P), Ph) + \
                PhK - xp.matmul(xp.matmul(PhK, P), A)
        return gA, None, None, None


def _tol_value(t, name):
    if isinstance(t, Tensor):
        if t.ndim:
            raise NotImplementedError(f"{name} as a non-scalar tensor is not supported")
        return float(t.item())
    return None if t is None else float(t)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    """Computes the pseudoinverse (Moore-Penrose inverse) of a matrix. Singular values (or the
    absolute eigenvalues when ``hermitian=True``) at most ``max(atol, rtol * largest)`` are
    treated as zero; ``rtol`` defaults to ``max(m, n) * eps`` when neither is given."""
    if rcond is not None:
        rtol = rcond
    _check_matrix("linalg.pinv", A)
    _check_float("linalg.pinv", A._data)
    if hermitian:
        _check_square("linalg.pinv", A)
    return Pinv.apply(A, _tol_value(atol, "atol"), _tol_value(rtol, "rtol"), bool(hermitian))


def pinverse(input, rcond=1e-15):
    """Alias for ``ember.linalg.pinv`` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


# ---------------------------------------------------------------- matrix exponential
def _expm(xp, a):
    """exp(A) by scaling and squaring with a degree-13 Pade approximant (Higham 2005)."""
    b = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
         129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
         40840800., 960960., 16380., 182., 1.)
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    norm = xp.abs(a).sum(axis=-2).max()
    s = max(0, int(math.ceil(math.log2(float(norm) / 5.371920351148152))) if norm > 0 else 0)
    a = a / (2.0 ** s)
    ident = xp.eye(n, dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 +
             b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * ident
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


class MatrixExp(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(ctx.xp, a)

    @staticmethod
    def backward(ctx, g):
        # the upper-right block of exp([[A^T, G], [0, A^T]]), assembled with constant selectors
        a, = ctx.saved_tensors
        xp = ctx.xp
        n = a.shape[-1]
        P1 = _eye(a, n, 2 * n)          # [I 0]
        P2 = _eye(a, 2 * n)[n:]         # [0 I]
        aT = _mT(a)
        M = xp.matmul(_mT(P1), xp.matmul(aT, P1)) + xp.matmul(_mT(P1), xp.matmul(g, P2)) + \
            xp.matmul(_mT(P2), xp.matmul(aT, P2))
        E = MatrixExp.apply(M) if ctx.create_graph else _expm(xp, M)
        return xp.matmul(P1, xp.matmul(E, _mT(P2)))


def matrix_exp(A):
    """Computes the matrix exponential of a square matrix (or of each matrix of a batch)."""
    _check_square("linalg.matrix_exp", A)
    _check_float("linalg.matrix_exp", A._data)
    return MatrixExp.apply(A)


# ---------------------------------------------------------------- vector norm
class VectorNorm(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        xp = ctx.xp
        ax = xp.abs(x)
        if ord == 2:
            out = xp.sqrt((ax * ax).sum(axis=axes, keepdims=keepdim))
        elif ord == 1:
            out = ax.sum(axis=axes, keepdims=keepdim)
        elif ord == math.inf:
            out = ax.max(axis=axes, keepdims=keepdim)
        elif ord == -math.inf:
            out = ax.min(axis=axes, keepdims=keepdim)
        elif ord == 0:
            out = (x != 0).sum(axis=axes, keepdims=keepdim).astype(ax.dtype)
        else:
            out = ((ax ** ord).sum(axis=axes, keepdims=keepdim)) ** (1.0 / ord)
        out = xp.asarray(out)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, norm = ctx.saved_tensors
        ord = ctx.ord
        xr = _raw(x)
        bk = get_xp(xr)
        if ctx.axes is not None and not ctx.keepdim:
            shape = list(x.shape)
            for a in ctx.axes:
                shape[a] = 1
            shape = tuple(shape)
        else:
            shape = (1,) * x.ndim if ctx.axes is None and not ctx.keepdim else None
        if shape is not None:
            g = g.reshape(shape)
            norm = norm.reshape(shape)
        norm_r = _raw(norm)
        sgn = bk.sign(xr)
        if ord == 0:
            return ctx.xp.zeros_like(x), None, None, None
        if ord == 1:
            return g * sgn, None, None, None
        if ord == math.inf or ord == -math.inf:
            # split evenly among the entries that reach the max (min), as torch's amax
            mask = (bk.abs(xr) == norm_r) | bk.isnan(xr)
            count = mask.sum(axis=ctx.axes, keepdims=True)
            return g * (sgn * mask / count).astype(xr.dtype), None, None, None
        zero = (norm_r == 0).astype(xr.dtype)      # the gradient is 0 where the norm is 0
        if ord == 2:
            return x * (g / (norm + zero)), None, None, None
        ax = x * sgn
        if ord < 1:
            nz = (xr != 0).astype(xr.dtype)
            return sgn * ((ax + (1 - nz)) ** (ord - 1)) * nz * g * norm ** (1 - ord), \
                None, None, None
        scale = g / (norm + zero) ** (ord - 1) * (1 - zero)
        if ord < 2:
            return sgn * ax ** (ord - 1) * scale, None, None, None
        return x * ax ** (ord - 2) * scale, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Computes a vector norm: ``ord`` may be any real number, ``inf`` (max of absolute values),
    ``-inf`` (min) or 0 (number of non-zeros); ``dim`` (int or tuple) gives the dimensions to
    reduce (all by default)."""
    data = x._data
    _check_float("linalg.vector_norm", data)
    nd = data.ndim
    if dim is None:
        axes = None
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(sorted(wrap_dim(d, nd) for d in dims)) if dims else None
        if axes is not None and len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    if ord in (math.inf, -math.inf, float("inf"), float("-inf")) or ord < 0:
        if axes is None and data.size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on an "
                               "empty tensor because the operation does not have an identity")
        for a in (axes or ()):
            if data.shape[a] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm "
                                   f"on the dimension {a}because this dimension is empty and the "
                                   "operation does not have an identity")
    if dtype is not None and _dt.as_dtype(dtype) is not x.dtype:
        x = x.to(dtype)
    if axes is not None and len(axes) == nd and not keepdim:
        axes = None
    return VectorNorm.apply(x, float(ord), axes, bool(keepdim))


def _ord_str(ord):
    return {math.inf: "inf", -math.inf: "-inf"}.get(ord, str(ord))


TENSOR_METHODS = {
    "matmul": matmul, "__matmul__": matmul,
    "__rmatmul__": lambda self, other: matmul(other, self),
    "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot, "inner": inner, "outer": outer,
    "ger": outer, "addmm": addmm, "addmv": addmv, "addbmm": addbmm, "baddbmm": baddbmm,
    "addr": addr, "kron": kron, "trace": trace, "cross": cross, "matrix_power": matrix_power,
    "matrix_exp": matrix_exp, "det": det, "logdet": logdet, "slogdet": slogdet,
    "inverse": inv, "cholesky": cholesky, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "pinverse": pinverse, "svd": svd, "qr": qr,
    "addmm_": lambda self, mat1, mat2, *, beta=1, alpha=1: inplace(
        addmm, self, mat1, mat2, beta=beta, alpha=alpha),
    "addmv_": lambda self, mat, vec, *, beta=1, alpha=1: inplace(
        addmv, self, mat, vec, beta=beta, alpha=alpha),
    "addbmm_": lambda self, b1, b2, *, beta=1, alpha=1: inplace(
        addbmm, self, b1, b2, beta=beta, alpha=alpha),
    "baddbmm_": lambda self, b1, b2, *, beta=1, alpha=1: inplace(
        baddbmm, self, b1, b2, beta=beta, alpha=alpha),
    "addr_": lambda self, v1, v2, *, beta=1, alpha=1: inplace(
        addr, self, v1, v2, beta=beta, alpha=alpha),
}
