"""Op table and view semantics for the shape/view ("movement") family, against real torch."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from .opinfo import OpInfo, Sample, cases, run_generic


def _r(rng):
    return rng.standard_normal


def _op(name, fn, samples, **kw):
    """An op called the same way (a method, a property) on ember and torch tensors."""
    return OpInfo(name, fn, fn, samples, **kw)


def _varargs(samples):
    """Samples with a non-empty dims tuple (torch's ``x.permute()`` with no dims is an error)."""
    return lambda rng: [s for s in samples(rng) if len(s.args) < 2 or s.args[1] != ()]


def _mat(rng, shapes=((3, 4),), nc=True):
    r = _r(rng)
    out = [Sample((r(s),)) for s in shapes]
    if nc:
        out += [Sample((r(s),), noncontig=True) for s in shapes if len(s) >= 1]
    return out


# ------------------------------------------------------------------ samples
def _reshape_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)), (2, 6))), Sample((r((3, 4)), (-1,))), Sample((r(()), (1, 1))),
            Sample((r((2, 3, 4)), (4, -1))), Sample((r((0, 3)), (3, 0))),
            Sample((r((3, 4)), (12,)), noncontig=True), Sample((r((1,)), ()))]


def _view_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)), (2, 6))), Sample((r((2, 3, 4)), (6, 4))),
            Sample((r(()), (1,))), Sample((r((0, 3)), (-1,))),
            Sample((r((4, 3)), (4, 3, 1)), noncontig=True),
            Sample((r((2, 3, 4)), (2, 1, 3, 4)), noncontig=True)]


def _flatten_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3, 4)),)), Sample((r((2, 3, 4)), 1)), Sample((r((2, 3, 4)), 0, 1)),
            Sample((r((2, 3, 4)), -2, -1)), Sample((r(()),)), Sample((r((3, 4)),), noncontig=True),
            Sample((r((0, 3)),))]


def _squeeze_samples(rng):
    r = _r(rng)
    x = (2, 1, 3, 1)
    return [Sample((r(x),)), Sample((r(x), 1)), Sample((r(x), -1)), Sample((r(x), 0)),
            Sample((r(x), (1, 3))), Sample((r(x), (-1, 0))), Sample((r(()),)), Sample((r(()), 0)),
            Sample((r((1, 4, 1)),), noncontig=True), Sample((r((0, 1)),))]


def _unsqueeze_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), 0)), Sample((r((2, 3)), 1)), Sample((r((2, 3)), -1)),
            Sample((r((2, 3)), 2)), Sample((r(()), 0)), Sample((r(()), -1)),
            Sample((r((3, 4)), -1), noncontig=True), Sample((r((3, 4)), 1), noncontig=True)]


def _perm_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3, 4)), (2, 0, 1))), Sample((r((2, 3, 4)), (-1, 0, 1))),
            Sample((r(()), ())), Sample((r((3, 4)), (1, 0)), noncontig=True),
            Sample((r((0, 3)), (1, 0)))]


def _transpose_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3, 4)), 0, 2)), Sample((r((2, 3, 4)), -1, 1)), Sample((r(()), 0, -1)),
            Sample((r((3, 4)), 0, 1), noncontig=True), Sample((r((3,)), 0, 0))]


def _t_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)),)), Sample((r((3,)),)), Sample((r(()),)),
            Sample((r((3, 4)),), noncontig=True)]


def _movedim_samples(rng):
    r = _r(rng)
    x = (2, 3, 4, 5)
    return [Sample((r(x), 0, 2)), Sample((r(x), (0, 1), (3, 0))), Sample((r(x), -1, 0)),
            Sample((r(x), [1, 2], [-1, -2])), Sample((r(()), 0, 0)),
            Sample((r((3, 4)), 0, 1), noncontig=True)]


def _expand_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 1)), (2, 3, 4))), Sample((r((3,)), (2, -1))),
            Sample((r(()), (2, 3))), Sample((r((1, 4)), (0, 4))), Sample((r((3, 4)), (3, 4))),
            Sample((r((4, 1)), (2, 4, 3)), noncontig=True), Sample((r((1, 1)), (1, 1, 1)))]


def _expand_as_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 1)), r((2, 3, 4))), grad=(0,)), Sample((r(()), r((2,))), grad=(0,))]


def _broadcast_tensors_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 1)), r((4,)), r(()))), Sample((r((2, 1, 3)), r((4, 1)))),
            Sample((r((3, 4)),))]


def _repeat_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), (2, 2))), Sample((r((2, 3)), (3, 1, 2))), Sample((r(()), (3,))),
            Sample((r(()), ())), Sample((r((2, 3)), (0, 1))), Sample((r((3,)), (2,))),
            Sample((r((2, 3)), (1, 2)), noncontig=True)]


def _tile_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), (2,))), Sample((r((2, 3)), (2, 1, 2))), Sample((r(()), (2,))),
            Sample((r((2, 3)), (2, 2)), noncontig=True)]


def _ri_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), 2)), Sample((r((2, 3)), 2, 1)), Sample((r((2, 3)), 3, -2)),
            Sample((r((3,)), np.array([1, 0, 2]))), Sample((r((3, 2)), np.array([2, 0, 1]), 0)),
            Sample((r((2, 3)), np.array([0, 3, 1]), 1)), Sample((r((2, 3)), np.array(2), 1)),
            Sample((r(()), 3)), Sample((r((2, 3)), np.array([1, 2]), 0), noncontig=True),
            Sample((r((2, 3)), np.array([0, 0, 0]), 1))]


def _flip_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3, 4)), (0,))), Sample((r((2, 3, 4)), (0, 2))),
            Sample((r((2, 3, 4)), (-1,))), Sample((r((2, 3)), ())), Sample((r(()), (0,))),
            Sample((r((3, 4)), (0, 1)), noncontig=True), Sample((r((0, 3)), (1,)))]


def _rot90_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)),)), Sample((r((2, 3)), 2)), Sample((r((2, 3)), 3)),
            Sample((r((2, 3)), -1)), Sample((r((2, 3)), 4)), Sample((r((2, 3, 4)), 1, (2, 0))),
            Sample((r((3, 4)), 1, (1, 0)), noncontig=True)]


def _roll_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)), 1)), Sample((r((3, 4)), -2, 1)), Sample((r((3, 4)), (1, 2), (0, 1))),
            Sample((r((3, 4)), 5, 0)), Sample((r(()), 1)), Sample((r((0, 3)), 1, 0)),
            Sample((r((3, 4)), (1, -1), (1, 0)), noncontig=True)]


def _narrow_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)), 0, 1, 2)), Sample((r((3, 4)), 1, -2, 2)),
            Sample((r((3, 4)), -1, 0, 0)),
            Sample((r((3, 4)), 0, np.array(1), 2)), Sample((r((3, 4)), 1, 4, 0)),
            Sample((r((3, 4)), 1, 1, 3), noncontig=True)]


def _select_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)), 0, 1)), Sample((r((3, 4)), 1, -1)), Sample((r((3,)), 0, 2)),
            Sample((r((2, 3, 4)), -2, 0)), Sample((r((3, 4)), 1, 2), noncontig=True)]


def _unbind_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)),)), Sample((r((3, 4)), 1)), Sample((r((2, 3, 4)), -1)),
            Sample((r((3,)),)), Sample((r((0, 3)), 1)), Sample((r((3, 4)), 0), noncontig=True)]


def _split_samples(rng):
    r = _r(rng)
    return [Sample((r((5, 3)), 2)), Sample((r((5, 3)), [1, 4])), Sample((r((5, 3)), 1, 1)),
            Sample((r((5, 3)), [3, 0], -1)), Sample((r((5, 3)), 5)), Sample((r((5, 3)), 7)),
            Sample((r((0, 3)), 0)), Sample((r((0, 3)), 2)),
            Sample((r((4, 6)), [2, 4], 1), noncontig=True)]


def _tensor_split_samples(rng):
    r = _r(rng)
    return [Sample((r((5, 3)), 3)), Sample((r((5, 3)), [1, 4])), Sample((r((5, 3)), [4, 1])),
            Sample((r((5, 3)), 2, 1)), Sample((r((5, 3)), [-1, 7])), Sample((r((5, 3)), 7)),
            Sample((r((5, 3)), np.array([1, 3]))), Sample((r((5, 3)), np.array(2))),
            Sample((r((4, 6)), 4, 1), noncontig=True)]


def _chunk_samples(rng):
    r = _r(rng)
    return [Sample((r((5, 3)), 2)), Sample((r((5, 3)), 4)), Sample((r((5, 3)), 3, 1)),
            Sample((r((6, 3)), 3)), Sample((r((5, 3)), 10)), Sample((r((0, 3)), 3)),
            Sample((r((4, 6)), 4, -1), noncontig=True)]


def _cat_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), r((4, 3)))), Sample((r((2, 3)), r((2, 1)), r((2, 2))), {"dim": 1}),
            Sample((r((2, 3)), r((0,)), r((1, 3)))), Sample((r((0,)), r((0,)))),
            Sample((r((2, 3)), r((2, 3))), {"dim": -1}), Sample((r((3,)),)),
            Sample((r((0, 3)), r((2, 3)))), Sample((r((3, 4)), r((3, 4))), {"dim": 1},
                                                   noncontig=True)]


def _stack_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), r((2, 3)))), Sample((r((2, 3)), r((2, 3)), r((2, 3))), {"dim": 2}),
            Sample((r((2, 3)), r((2, 3))), {"dim": -2}), Sample((r(()), r(()))),
            Sample((r((0, 3)), r((0, 3)))), Sample((r((3, 4)), r((3, 4))), {"dim": 1},
                                                   noncontig=True)]


def _hstack_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), r((2, 1)))), Sample((r((3,)), r((2,)))), Sample((r(()), r((2,)))),
            Sample((r((2, 3, 1)), r((2, 1, 1)))), Sample((r((3, 4)), r((3, 4))), noncontig=True)]


def _vstack_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), r((1, 3)))), Sample((r((3,)), r((3,)))), Sample((r(()), r(()))),
            Sample((r((3,)), r((2, 3)))), Sample((r((3, 4)), r((3, 4))), noncontig=True)]


def _dstack_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)), r((2, 3)))), Sample((r((3,)), r((3,)))), Sample((r(()), r(()))),
            Sample((r((2, 3, 2)), r((2, 3)))), Sample((r((3, 4)), r((3, 4))), noncontig=True)]


def _column_stack_samples(rng):
    r = _r(rng)
    return [Sample((r((3,)), r((3, 2)))), Sample((r(()), r((1,)))), Sample((r((3,)), r((3,)))),
            Sample((r((3, 4)), r((3,))), noncontig=True)]


def _diagonal_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)),)), Sample((r((3, 4)), 1)), Sample((r((3, 4)), -2)),
            Sample((r((3, 4)), 5)), Sample((r((2, 3, 4)), 1, 0, 2)),
            Sample((r((2, 3, 4)), 0, -1, -2)), Sample((r((4, 4)), -1), noncontig=True),
            Sample((r((0, 3)),))]


def _diag_samples(rng):
    r = _r(rng)
    return [Sample((r((3,)),)), Sample((r((3,)), 1)), Sample((r((3,)), -2)), Sample((r((3, 4)),)),
            Sample((r((3, 4)), 2)), Sample((r((3, 4)), -1)), Sample((r((0,)),)),
            Sample((r((4, 3)), 1), noncontig=True)]


def _diag_embed_samples(rng):
    r = _r(rng)
    return [Sample((r((2, 3)),)), Sample((r((2, 3)), 1)), Sample((r((2, 3)), -1, 0, 2)),
            Sample((r((2, 3)), 0, 2, 0)), Sample((r((3,)),)),
            Sample((r((3, 4)), 1, 1, 2), noncontig=True)]


def _diagflat_samples(rng):
    r = _r(rng)
    return [Sample((r((3,)),)), Sample((r((2, 2)), 1)), Sample((r((2, 2)), -1)), Sample((r(()),)),
            Sample((r((2, 3)),), noncontig=True)]


def _tri_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)),)), Sample((r((3, 4)), 1)), Sample((r((3, 4)), -1)),
            Sample((r((2, 3, 4)), 2)), Sample((r((3, 4)), -5)), Sample((r((0, 3)),)),
            Sample((r((4, 3)), 0), noncontig=True)]


def _meshgrid_samples(rng):
    r = _r(rng)
    return [Sample((r((3,)), r((2,)))), Sample((r((3,)), r((2,)), r((4,)))), Sample((r((3,)),)),
            Sample((r(()), r((2,))))]


def _atleast_samples(rng):
    r = _r(rng)
    return [Sample((r(()),)), Sample((r((3,)),)), Sample((r((2, 3)),)), Sample((r((2, 3, 4)),)),
            Sample((r((3, 2)),), noncontig=True)]


def _unfold_samples(rng):
    r = _r(rng)
    return [Sample((r((5, 4)), 0, 2, 1)), Sample((r((5, 4)), 0, 2, 2)),
            Sample((r((5, 4)), 1, 3, 1)),
            Sample((r((5, 4)), -1, 1, 3)), Sample((r((7,)), 0, 3, 2)), Sample((r((5, 4)), 1, 0, 1)),
            Sample((r(()), 0, 1, 1)), Sample((r((4, 5)), 1, 2, 1), noncontig=True),
            Sample((r((5, 4)), 0, 5, 1))]


def _as_strided_samples(rng):
    r = _r(rng)
    return [Sample((r((3, 4)), (2, 2), (1, 2))), Sample((r((3, 4)), (3, 3), (4, 1), 1)),
            Sample((r((12,)), (5, 3), (2, 1))), Sample((r((3, 4)), (2,), (5,), 2)),
            Sample((r((3, 4)), (4, 3), (1, 4)), noncontig=True)]


def _unflatten_samples(rng):
    r = _r(rng)
    return [Sample((r((6, 4)), 0, (2, 3))), Sample((r((6, 4)), -1, (2, -1))),
            Sample((r((6, 4)), 1, (4,))), Sample((r((4, 6)), 1, (3, 2)), noncontig=True)]


def _split_dir_samples(dim_min):
    def gen(rng):
        r = _r(rng)
        shape = (4, 6, 2)[: max(dim_min, 2)] if dim_min < 3 else (2, 4, 6)
        return [Sample((r(shape), 2)), Sample((r(shape), [1, 3])),
                Sample((r(shape), 2), noncontig=True)]
    return gen


OPS = [
    _op("reshape", lambda a, s: a.reshape(s), _reshape_samples),
    OpInfo("reshape_fn", ember.reshape, torch.reshape, _reshape_samples),
    _op("view", lambda a, s: a.view(s), _view_samples),
    _op("view_varargs", lambda a, s: a.view(*s), _view_samples),
    _op("view_as", lambda a, b: a.view_as(b),
        lambda rng: [Sample((_r(rng)((3, 4)), _r(rng)((2, 6))), grad=(0,))]),
    _op("reshape_as", lambda a, b: a.reshape_as(b),
        lambda rng: [Sample((_r(rng)((3, 4)), _r(rng)((12,))), grad=(0,)),
                     Sample((_r(rng)((3, 4)), _r(rng)((2, 6))), grad=(0,), noncontig=True)]),
    _op("flatten", lambda a, *args: a.flatten(*args), _flatten_samples),
    _op("unflatten", lambda a, d, s: a.unflatten(d, s), _unflatten_samples),
    _op("ravel", lambda a: a.ravel(), lambda rng: _mat(rng, ((3, 4), (), (2, 0)))),
    _op("squeeze", lambda a, *args: a.squeeze(*args), _squeeze_samples),
    _op("unsqueeze", lambda a, d: a.unsqueeze(d), _unsqueeze_samples),
    _op("permute", lambda a, d: a.permute(*d), _varargs(_perm_samples)),
    _op("permute_tuple", lambda a, d: a.permute(d), _perm_samples),
    _op("transpose", lambda a, d0, d1: a.transpose(d0, d1), _transpose_samples),
    _op("swapaxes", lambda a, d0, d1: a.swapaxes(d0, d1), _transpose_samples),
    _op("swapdims", lambda a, d0, d1: a.swapdims(d0, d1), _transpose_samples),
    _op("t", lambda a: a.t(), _t_samples),
    _op("T", lambda a: a.T, lambda rng: _mat(rng, ((3, 4), (0, 2)))),
    _op("mT", lambda a: a.mT, lambda rng: _mat(rng, ((3, 4), (2, 3, 4)))),
    _op("adjoint", lambda a: a.adjoint(), lambda rng: _mat(rng, ((3, 4), (2, 3, 4)))),
    _op("movedim", lambda a, s, d: a.movedim(s, d), _movedim_samples),
    _op("moveaxis", lambda a, s, d: a.moveaxis(s, d), _movedim_samples),
    _op("expand", lambda a, s: a.expand(*s), _expand_samples),
    _op("expand_tuple", lambda a, s: a.expand(s), _expand_samples),
    _op("broadcast_to", lambda a, s: a.broadcast_to(s), _expand_samples),
    _op("expand_as", lambda a, b: a.expand_as(b), _expand_as_samples),
    OpInfo("broadcast_tensors", ember.broadcast_tensors, torch.broadcast_tensors,
           _broadcast_tensors_samples),
    _op("repeat", lambda a, s: a.repeat(*s), _varargs(_repeat_samples)),
    _op("repeat_tuple", lambda a, s: a.repeat(s), _repeat_samples),
    _op("tile", lambda a, s: a.tile(s), _tile_samples),
    _op("repeat_interleave", lambda a, *args: a.repeat_interleave(*args), _ri_samples),
    _op("flip", lambda a, d: a.flip(d), _flip_samples),
    _op("flip_varargs", lambda a, d: a.flip(*d), _varargs(_flip_samples)),
    _op("fliplr", lambda a: a.fliplr(), lambda rng: _mat(rng, ((3, 4), (2, 3, 4)))),
    _op("flipud", lambda a: a.flipud(), lambda rng: _mat(rng, ((3,), (3, 4)))),
    _op("rot90", lambda a, *args: a.rot90(*args), _rot90_samples),
    _op("roll", lambda a, *args: a.roll(*args), _roll_samples),
    _op("narrow", lambda a, *args: a.narrow(*args), _narrow_samples),
    _op("select", lambda a, d, i: a.select(d, i), _select_samples),
    _op("unbind", lambda a, *args: a.unbind(*args), _unbind_samples),
    _op("split", lambda a, *args: a.split(*args), _split_samples),
    _op("tensor_split", lambda a, *args: a.tensor_split(*args), _tensor_split_samples),
    _op("chunk", lambda a, *args: a.chunk(*args), _chunk_samples),
    _op("hsplit", lambda a, s: a.hsplit(s), _split_dir_samples(2)),
    _op("vsplit", lambda a, s: a.vsplit(s), _split_dir_samples(2)),
    _op("dsplit", lambda a, s: a.dsplit(s), _split_dir_samples(3)),
    OpInfo("cat", lambda *a, **k: ember.cat(a, **k), lambda *a, **k: torch.cat(a, **k),
           _cat_samples),
    OpInfo("concat", lambda *a, **k: ember.concat(list(a), **k),
           lambda *a, **k: torch.concat(list(a), **k), _cat_samples),
    OpInfo("concatenate", lambda *a, dim=0: ember.concatenate(a, axis=dim),
           lambda *a, dim=0: torch.concatenate(a, axis=dim), _cat_samples),
    OpInfo("stack", lambda *a, **k: ember.stack(a, **k), lambda *a, **k: torch.stack(a, **k),
           _stack_samples),
    OpInfo("hstack", lambda *a: ember.hstack(a), lambda *a: torch.hstack(a), _hstack_samples),
    OpInfo("vstack", lambda *a: ember.vstack(a), lambda *a: torch.vstack(a), _vstack_samples),
    OpInfo("row_stack", lambda *a: ember.row_stack(a), lambda *a: torch.vstack(a),
           _vstack_samples),
    OpInfo("dstack", lambda *a: ember.dstack(a), lambda *a: torch.dstack(a), _dstack_samples),
    OpInfo("column_stack", lambda *a: ember.column_stack(a), lambda *a: torch.column_stack(a),
           _column_stack_samples),
    _op("diagonal", lambda a, *args: a.diagonal(*args), _diagonal_samples),
    OpInfo("diagonal_fn", ember.diagonal, torch.diagonal, _diagonal_samples),
    OpInfo("diag", ember.diag, torch.diag, _diag_samples),
    OpInfo("diag_embed", ember.diag_embed, torch.diag_embed, _diag_embed_samples),
    OpInfo("diagflat", ember.diagflat, torch.diagflat, _diagflat_samples),
    OpInfo("tril", ember.tril, torch.tril, _tri_samples),
    OpInfo("triu", ember.triu, torch.triu, _tri_samples),
    OpInfo("meshgrid_ij", lambda *a: ember.meshgrid(*a, indexing="ij"),
           lambda *a: torch.meshgrid(*a, indexing="ij"), _meshgrid_samples),
    OpInfo("meshgrid_xy", lambda *a: ember.meshgrid(a, indexing="xy"),
           lambda *a: torch.meshgrid(a, indexing="xy"), _meshgrid_samples),
    OpInfo("atleast_1d", ember.atleast_1d, torch.atleast_1d, _atleast_samples,
           gradcheck=False),  # may return the input itself
    OpInfo("atleast_2d", ember.atleast_2d, torch.atleast_2d, _atleast_samples,
           gradcheck=False),  # may return the input itself
    OpInfo("atleast_3d", ember.atleast_3d, torch.atleast_3d, _atleast_samples,
           gradcheck=False),  # may return the input itself
    OpInfo("atleast_2d_many", lambda *a: ember.atleast_2d(*a), lambda *a: torch.atleast_2d(*a),
           lambda rng: [Sample((_r(rng)(()), _r(rng)((3,)), _r(rng)((2, 2))))], gradcheck=False),
    _op("unfold", lambda a, d, s, st: a.unfold(d, s, st), _unfold_samples),
    OpInfo("as_strided", ember.as_strided, torch.as_strided, _as_strided_samples),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_op(op, sample, dtype):
    run_generic(op, sample, dtype)


def test_flatten_returns_self_like_torch():
    for shape, args in [((3,), ()), ((2, 3, 4), (1, 1)), ((2, 3), (-1, -1))]:
        e, t = ember.zeros(shape), torch.zeros(shape)
        assert (e.flatten(*args) is e) == (t.flatten(*args) is t)


# ------------------------------------------------------------------ views share memory
def _pair(shape, noncontig=False, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    if noncontig and a.ndim >= 2:
        a = np.ascontiguousarray(a.swapaxes(-1, -2)).swapaxes(-1, -2)
    return ember.from_numpy(np.array(a, order="K")), torch.from_numpy(np.array(a, order="K"))


# (name, shape, fn applied to ember and torch alike); each returns a view (or views)
VIEWS = [
    ("view", (3, 4), lambda x: x.view(2, 6)),
    ("view_as", (3, 4), lambda x: x.view_as(x.reshape(12))),
    ("reshape", (3, 4), lambda x: x.reshape(4, 3)),
    ("reshape_nc_1dims", (3, 4), lambda x: x.t().reshape(4, 1, 3)),
    ("flatten", (2, 3, 4), lambda x: x.flatten(1)),
    ("ravel", (3, 4), lambda x: x.ravel()),
    ("unflatten", (6, 4), lambda x: x.unflatten(0, (2, 3))),
    ("squeeze", (2, 1, 3, 1), lambda x: x.squeeze()),
    ("squeeze_dims", (2, 1, 3, 1), lambda x: x.squeeze((1, 3))),
    ("unsqueeze", (2, 3), lambda x: x.unsqueeze(1)),
    ("unsqueeze_end_nc", (3, 4), lambda x: x.t().unsqueeze(-1)),
    ("unsqueeze_0d", (), lambda x: x.unsqueeze(0)),
    ("permute", (2, 3, 4), lambda x: x.permute(2, 0, 1)),
    ("transpose", (2, 3, 4), lambda x: x.transpose(0, 2)),
    ("swapaxes", (2, 3, 4), lambda x: x.swapaxes(-1, 0)),
    ("t", (3, 4), lambda x: x.t()),
    ("T", (3, 4), lambda x: x.T),
    ("mT", (2, 3, 4), lambda x: x.mT),
    ("adjoint", (2, 3, 4), lambda x: x.adjoint()),
    ("movedim", (2, 3, 4), lambda x: x.movedim(0, -1)),
    ("expand", (3, 1), lambda x: x.expand(2, 3, 4)),
    ("expand_1d", (1,), lambda x: x.expand(1, 4)),
    ("expand_nc", (4, 3), lambda x: x.t().expand(2, 3, 4)),
    ("broadcast_to", (3, 1), lambda x: x.broadcast_to((3, 5))),
    ("narrow", (4, 5), lambda x: x.narrow(1, 1, 3)),
    ("narrow_nc", (4, 5), lambda x: x.t().narrow(0, 2, 2)),
    ("select", (3, 4), lambda x: x.select(1, 2)),
    ("select_1d", (3,), lambda x: x.select(0, 1)),
    ("diagonal", (3, 4), lambda x: x.diagonal()),
    ("diagonal_off", (2, 3, 4), lambda x: x.diagonal(1, 0, 2)),
    ("unfold", (5, 4), lambda x: x.unfold(0, 2, 1)),
    ("unfold_step", (4, 7), lambda x: x.unfold(1, 3, 2)),
    ("unfold_disjoint", (4, 7), lambda x: x.unfold(1, 2, 3)),
    ("as_strided", (3, 4), lambda x: x.as_strided((2, 2), (1, 4), 1)),
    ("unbind", (3, 4), lambda x: x.unbind(1)),
    ("split", (5, 3), lambda x: x.split(2)),
    ("split_sizes", (5, 3), lambda x: x.split([1, 2], 1)),
    ("chunk", (5, 3), lambda x: x.chunk(2)),
    ("tensor_split", (5, 3), lambda x: x.tensor_split([1, 4])),
    ("hsplit", (4, 6), lambda x: x.hsplit(3)),
    ("broadcast_tensors", (3, 1), lambda x: _ops(x).broadcast_tensors(x, _ops(x).zeros(4))[0]),
    ("meshgrid", (3,), lambda x: _ops(x).meshgrid(x, _ops(x).zeros(2), indexing="xy")[0]),
    ("atleast_3d", (3,), lambda x: _ops(x).atleast_3d(x)),
]


def _ops(x):
    return ember if isinstance(x, ember.Tensor) else torch


# views whose elements overlap in memory: an in-place write through them is undefined
OVERLAPPING = {"expand", "expand_1d", "expand_nc", "broadcast_to", "unfold", "unfold_step",
               "broadcast_tensors",
               "meshgrid"}


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("name,shape,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_shares_memory_version_and_strides(name, shape, fn):
    for noncontig in (False, True):
        e, t = _pair(shape, noncontig)
        try:
            t_outs = _as_list(fn(t))
        except RuntimeError:  # e.g. view of a transposed tensor
            with pytest.raises(RuntimeError):
                fn(e)
            continue
        e_outs = _as_list(fn(e))
        assert len(e_outs) == len(t_outs)
        for k, (ev, tv) in enumerate(zip(e_outs, t_outs)):
            assert tuple(ev.shape) == tuple(tv.shape), name
            assert ev.stride() == tv.stride(), (name, k, noncontig)
            assert ev.storage_offset() == tv.storage_offset(), (name, k)
            if not ev.numel():
                continue
            # a write to the base shows through the view
            with ember.no_grad(), torch.no_grad():
                e.mul_(2)
                t.mul_(2)
            np.testing.assert_allclose(ev.numpy(), tv.numpy(), err_msg=name)
            assert ev._version == tv._version and e._version == t._version, name
            if name in OVERLAPPING:
                continue
            # and a write through the view shows in the base
            with ember.no_grad(), torch.no_grad():
                ev.add_(1)
                tv.add_(1)
            np.testing.assert_allclose(e.numpy(), t.numpy(), err_msg=name)
            assert ev._version == tv._version and e._version == t._version, name


def test_views_keep_version_counter_through_chains():
    e, t = _pair((4, 6))
    ev = e.t().reshape(2, 3, 4).select(0, 1).narrow(1, 1, 2).unsqueeze(0)
    tv = t.t().reshape(2, 3, 4).select(0, 1).narrow(1, 1, 2).unsqueeze(0)
    with ember.no_grad(), torch.no_grad():
        ev.mul_(3)
        tv.mul_(3)
    np.testing.assert_allclose(e.numpy(), t.numpy())
    assert e._version == t._version == 1


COPIES = [
    ("flip", (3, 4), lambda x: x.flip(0)),
    ("flip_none", (3, 4), lambda x: x.flip(())),
    ("fliplr", (3, 4), lambda x: x.fliplr()),
    ("rot90_0", (3, 4), lambda x: x.rot90(0)),
    ("roll", (3, 4), lambda x: x.roll(1, 0)),
    ("roll_zero", (3, 4), lambda x: x.roll(0, 0)),
    ("repeat", (3, 4), lambda x: x.repeat(1, 1)),
    ("tile", (3, 4), lambda x: x.tile((1,))),
    ("repeat_interleave", (3, 4), lambda x: x.repeat_interleave(1)),
    ("reshape_copy", (3, 4), lambda x: x.t().reshape(12)),
    ("flatten_copy", (3, 4), lambda x: x.t().flatten()),
    ("diag", (3, 3), lambda x: x.diag()),
    ("tril", (3, 4), lambda x: x.tril()),
    ("triu", (3, 4), lambda x: x.triu(-5)),
    ("cat", (3, 4), lambda x: _ops(x).cat([x])),
    ("stack", (3, 4), lambda x: _ops(x).stack([x])),
]


@pytest.mark.parametrize("name,shape,fn", COPIES, ids=[c[0] for c in COPIES])
def test_copies_do_not_share_memory(name, shape, fn):
    e, t = _pair(shape)
    ev, tv = fn(e), fn(t)
    before_e, before_t = e.numpy().copy(), t.numpy().copy()
    with ember.no_grad(), torch.no_grad():
        ev.add_(1)
        tv.add_(1)
    np.testing.assert_array_equal(e.numpy(), before_e)
    np.testing.assert_array_equal(t.numpy(), before_t)
    assert e._version == t._version == 0
    assert ev.is_contiguous() == tv.is_contiguous()


def test_view_dtype():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    e, t = ember.from_numpy(a.copy()), torch.from_numpy(a.copy())
    for dt in ("int32", "float16", "float64", "uint8"):
        ev, tv = e.view(getattr(ember, dt)), t.view(getattr(torch, dt))
        assert tuple(ev.shape) == tuple(tv.shape) and ev.stride() == tv.stride()
        np.testing.assert_array_equal(ev.numpy(), tv.numpy())
    ev, tv = e.view(ember.int32), t.view(torch.int32)
    with ember.no_grad(), torch.no_grad():
        ev.add_(1)
        tv.add_(1)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert e._version == t._version == 1
    g = ember.ones(3, requires_grad=True)
    assert not g.view(ember.float32).requires_grad
    assert not torch.ones(3, requires_grad=True).view(torch.float32).requires_grad
    with pytest.raises(RuntimeError):
        torch.ones(3, 4).t().view(torch.float16)
    with pytest.raises(RuntimeError):
        ember.ones(3, 4).t().view(ember.float16)
    with pytest.raises(RuntimeError):
        torch.ones(()).view(torch.float16)
    with pytest.raises(RuntimeError):
        ember.ones(()).view(ember.float16)
    with pytest.raises(RuntimeError):
        torch.ones(3, 3).view(torch.float64)
    with pytest.raises(RuntimeError):
        ember.ones(3, 3).view(ember.float64)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.randoms(use_true_random=False),
       st.integers(0, 2))
def test_view_strides_and_viewability_match_torch(shape, rnd, how):
    """Random strided inputs reshaped to random compatible shapes: the same view/copy decision
    (view raises exactly when torch's does) and the same strides."""
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    a = np.ascontiguousarray(a).transpose(perm)
    if how == 1 and a.shape[-1] > 1:
        a = a[..., ::2]
    e, t = ember.from_numpy(a), torch.from_numpy(a)
    n = a.size
    target = []
    rest = n
    while rest > 1:
        f = rnd.choice([d for d in range(1, rest + 1) if rest % d == 0])
        target.append(f)
        rest //= f
        if rnd.random() < 0.3:
            target.append(1)
    target = tuple(target) or (1,)
    if how == 2:
        target = tuple(rnd.sample(target, len(target)))
    try:
        tv = t.view(target)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            e.view(target)
    else:
        ev = e.view(target)
        # NumPy keeps odd strides on size-1 dims of contiguous arrays; torch recomputes them
        same = [a == b for a, b, n in zip(ev.stride(), tv.stride(), target) if n != 1]
        assert all(same), (target, perm)
        assert np.shares_memory(ev.numpy(), a)
    er, tr = e.reshape(target), t.reshape(target)
    np.testing.assert_array_equal(er.numpy(), tr.numpy())
    assert np.shares_memory(er.numpy(), a) == (tr.data_ptr() == t.data_ptr()
                                               or np.shares_memory(tr.numpy(), a))


# ------------------------------------------------------------------ dtype promotion / misc
def test_cat_and_stack_promote_dtypes():
    pairs = [(np.float32, np.float64), (np.int32, np.float32), (np.int64, np.bool_),
             (np.uint8, np.int8)]
    for d1, d2 in pairs:
        a, b = np.ones((2, 3), d1), np.zeros((1, 3), d2)
        e = ember.cat([ember.from_numpy(a), ember.from_numpy(b)])
        t = torch.cat([torch.from_numpy(a), torch.from_numpy(b)])
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        b = np.zeros((2, 3), d2)
        e = ember.stack([ember.from_numpy(a), ember.from_numpy(b)], 1)
        t = torch.stack([torch.from_numpy(a), torch.from_numpy(b)], 1)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    # a skipped 1-D empty tensor still takes part in the promotion
    e = ember.cat([ember.zeros(0, dtype=ember.float64), ember.ones(2, 3)])
    t = torch.cat([torch.zeros(0, dtype=torch.float64), torch.ones(2, 3)])
    assert e.dtype == ember.float64 and t.dtype == torch.float64


def test_cat_mixed_dtype_gradients():
    a = ember.ones(2, 3, requires_grad=True)
    b = ember.ones(1, 3, dtype=ember.float64, requires_grad=True)
    out = ember.cat([a, b])
    assert out.dtype == ember.float64
    (out * ember.arange(9.0, dtype=ember.float64).reshape(3, 3)).sum().backward()
    ta = torch.ones(2, 3, requires_grad=True)
    tb = torch.ones(1, 3, dtype=torch.float64, requires_grad=True)
    (torch.cat([ta, tb]) * torch.arange(9.0, dtype=torch.float64).reshape(3, 3)).sum().backward()
    assert a.grad.dtype == ember.float32 and b.grad.dtype == ember.float64
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy())


def test_out_argument():
    a, b = ember.ones(2, 3), ember.zeros(2, 3)
    out = ember.empty(4, 3)
    r = ember.cat([a, b], out=out)
    assert r is out and out._version == 1
    np.testing.assert_array_equal(out.numpy(), torch.cat([torch.ones(2, 3), torch.zeros(2, 3)]))
    out = ember.empty(0)
    ember.stack([a, b], out=out)
    assert tuple(out.shape) == (2, 2, 3)
    with pytest.raises(RuntimeError):
        torch.cat([torch.ones(2, requires_grad=True)], out=torch.empty(2))
    with pytest.raises(RuntimeError):
        ember.cat([ember.ones(2, requires_grad=True)], out=ember.empty(2))


def test_broadcast_shapes_and_indices():
    for shapes in [((2, 1), (3, 1, 4)), ((), (3,)), (5, (2, 1)), ((0, 1), (3,)), ((1,),)]:
        assert tuple(ember.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((2, 3), (4,))
    with pytest.raises(RuntimeError):
        ember.broadcast_shapes((2, 3), (4,))
    for args in [(3, 4), (3, 4, 1), (4, 3, -1), (0, 3), (3, 3, -5), (2, 5, 7)]:
        for name in ("tril_indices", "triu_indices"):
            e, t = getattr(ember, name)(*args), getattr(torch, name)(*args)
            assert e.dtype == ember.int64
            np.testing.assert_array_equal(e.numpy(), t.numpy())
    e = ember.tril_indices(3, 3, dtype=ember.int32)
    assert e.dtype == ember.int32


def test_repeat_interleave_forms():
    r = np.array([1, 0, 3])
    e = ember.repeat_interleave(ember.from_numpy(r))
    t = torch.repeat_interleave(torch.from_numpy(r))
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    x = np.arange(6.0).reshape(2, 3)
    for kw in [dict(repeats=2, dim=1, output_size=6), dict(repeats=2)]:
        e = ember.repeat_interleave(ember.from_numpy(x), **kw)
        t = torch.repeat_interleave(torch.from_numpy(x), **kw)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    e = ember.from_numpy(x).repeat_interleave(ember.tensor([2, 1]), dim=0, output_size=3)
    t = torch.from_numpy(x).repeat_interleave(torch.tensor([2, 1]), dim=0, output_size=3)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_meshgrid_default_warns_like_torch():
    with pytest.warns(UserWarning):
        torch.meshgrid(torch.ones(2), torch.ones(3))
    with pytest.warns(UserWarning):
        outs = ember.meshgrid(ember.ones(2), ember.ones(3))
    assert [tuple(o.shape) for o in outs] == [(2, 3), (2, 3)]


def test_inplace_tril_triu():
    a = np.random.default_rng(0).standard_normal((3, 4))
    e, t = ember.from_numpy(a.copy()), torch.from_numpy(a.copy())
    e.tril_(1)
    t.tril_(1)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e.triu_()
    t.triu_()
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert e._version == t._version == 2


def test_iter_and_unbind_are_one_node():
    x = ember.ones(4, 3, requires_grad=True)
    rows = list(x * 2)
    assert len({id(r.grad_fn) for r in rows}) == 1
    (rows[1] * 3 + rows[3]).sum().backward()
    tx = torch.ones(4, 3, requires_grad=True)
    rows = list(tx * 2)
    (rows[1] * 3 + rows[3]).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


# ------------------------------------------------------------------ double backward
DOUBLE = [
    ("reshape", lambda x: x.reshape(4, 3)),
    ("transpose", lambda x: x.transpose(0, 1)),
    ("permute", lambda x: x.permute(1, 0)),
    ("expand", lambda x: x.unsqueeze(0).expand(2, 3, 4)),
    ("select", lambda x: x.select(1, 2)),
    ("narrow", lambda x: x.narrow(0, 1, 2)),
    ("diagonal", lambda x: x.diagonal(1)),
    ("diag_embed", lambda x: _ops(x).diag_embed(x)),
    ("unfold", lambda x: x.unfold(1, 2, 1)),
    ("unbind", lambda x: x.unbind(1)),
    ("split", lambda x: x.split([1, 2])),
    ("tensor_split", lambda x: x.tensor_split([2, 1], 1)),
    ("cat", lambda x: _ops(x).cat([x, x * 2], 1)),
    ("stack", lambda x: _ops(x).stack([x, x], 2)),
    ("flip", lambda x: x.flip(0, 1)),
    ("roll", lambda x: x.roll((1, -1), (0, 1))),
    ("repeat", lambda x: x.repeat(2, 1, 2)),
    ("repeat_interleave", lambda x: x.repeat_interleave(2, 1)),
    ("repeat_interleave_t", lambda x: x.repeat_interleave(
        _ops(x).tensor([2, 0, 1]), 0)),
    ("tril", lambda x: x.tril(1)),
    ("triu", lambda x: x.triu(-1)),
]


def _loss(outs):
    total = None
    for k, o in enumerate(_as_list(outs)):
        term = (o * o * (k + 1)).sum()
        total = term if total is None else total + term
    return total


@pytest.mark.parametrize("name,fn", DOUBLE, ids=[d[0] for d in DOUBLE])
def test_double_backward(name, fn):
    a = np.random.default_rng(3).standard_normal((3, 4))
    v = np.random.default_rng(4).standard_normal((3, 4))
    e = ember.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (eg,) = ember.autograd.grad(_loss(fn(e)), e, create_graph=True)
    (tg,) = torch.autograd.grad(_loss(fn(t)), t, create_graph=True)
    np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=1e-10)
    (eg * ember.tensor(v)).sum().backward()
    (tg * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-10)


# ------------------------------------------------------------------ errors
ERRORS = [
    ("view_strides", (3, 4), lambda x: x.t().view(12)),
    ("view_size", (3, 4), lambda x: x.view(5)),
    ("view_two_infer", (3, 4), lambda x: x.view(-1, -1)),
    ("view_negative", (3, 4), lambda x: x.view(-2, 6)),
    ("reshape_size", (3, 4), lambda x: x.reshape(5, -1)),
    ("flatten_order", (2, 3, 4), lambda x: x.flatten(2, 1)),
    ("flatten_dim", (2, 3), lambda x: x.flatten(0, 2)),
    ("unflatten_sizes", (6, 4), lambda x: x.unflatten(0, (4, -1))),
    ("squeeze_dim", (2, 1, 3), lambda x: x.squeeze(3)),
    ("squeeze_neg", (2, 1, 3), lambda x: x.squeeze(-4)),
    ("squeeze_dup", (2, 1, 3, 1), lambda x: x.squeeze((1, 1))),
    ("unsqueeze_dim", (2, 3), lambda x: x.unsqueeze(3)),
    ("unsqueeze_neg", (2, 3), lambda x: x.unsqueeze(-4)),
    ("permute_len", (3, 4), lambda x: x.permute(0)),
    ("permute_dup", (3, 4), lambda x: x.permute(0, 0)),
    ("permute_range", (3, 4), lambda x: x.permute(0, 2)),
    ("transpose_range", (3, 4), lambda x: x.transpose(0, 2)),
    ("t_3d", (2, 3, 4), lambda x: x.t()),
    ("adjoint_1d", (3,), lambda x: x.adjoint()),
    ("movedim_dup", (2, 3, 4), lambda x: x.movedim((0, 0), (1, 2))),
    ("movedim_len", (2, 3, 4), lambda x: x.movedim((0, 1), (2,))),
    ("expand_mismatch", (3,), lambda x: x.expand(2, 4)),
    ("expand_few", (2, 3), lambda x: x.expand(3)),
    ("expand_lead_neg", (3,), lambda x: x.expand(-1, 3)),
    ("broadcast_to", (3,), lambda x: x.broadcast_to((2, 4))),
    ("broadcast_tensors", (3,), lambda x: _ops(x).broadcast_tensors(x, _ops(x).ones(4))),
    ("select_range", (3, 4), lambda x: x.select(0, 3)),
    ("select_0d", (), lambda x: x.select(0, 0)),
    ("select_dim", (3, 4), lambda x: x.select(2, 0)),
    ("narrow_exceeds", (3, 4), lambda x: x.narrow(0, 2, 2)),
    ("narrow_start", (3, 4), lambda x: x.narrow(0, 4, 0)),
    ("narrow_start_neg", (3, 4), lambda x: x.narrow(0, -4, 1)),
    ("narrow_length", (3, 4), lambda x: x.narrow(0, 1, -1)),
    ("narrow_dim", (3, 4), lambda x: x.narrow(2, 0, 1)),
    ("unbind_0d", (), lambda x: x.unbind()),
    ("unbind_dim", (3,), lambda x: x.unbind(1)),
    ("split_sum", (5,), lambda x: x.split([2, 2])),
    ("split_zero", (5,), lambda x: x.split(0)),
    ("split_0d", (), lambda x: x.split(1)),
    ("chunk_zero", (5,), lambda x: x.chunk(0)),
    ("chunk_0d", (), lambda x: x.chunk(1)),
    ("tensor_split_zero", (5,), lambda x: x.tensor_split(0)),
    ("tensor_split_0d", (), lambda x: x.tensor_split(1)),
    ("hsplit_divisible", (4, 5), lambda x: x.hsplit(2)),
    ("vsplit_1d", (4,), lambda x: x.vsplit(2)),
    ("dsplit_2d", (4, 4), lambda x: x.dsplit(2)),
    ("diagonal_same", (2, 3, 4), lambda x: x.diagonal(0, 1, 1)),
    ("diagonal_1d", (3,), lambda x: x.diagonal()),
    ("diag_3d", (2, 2, 2), lambda x: _ops(x).diag(x)),
    ("diag_0d", (), lambda x: _ops(x).diag(x)),
    ("diag_embed_same", (2, 3), lambda x: _ops(x).diag_embed(x, 0, 0, 0)),
    ("tril_1d", (3,), lambda x: x.tril()),
    ("triu_0d", (), lambda x: x.triu()),
    ("unfold_size", (5, 4), lambda x: x.unfold(0, 6, 1)),
    ("unfold_step", (5, 4), lambda x: x.unfold(0, 2, 0)),
    ("unfold_dim", (5, 4), lambda x: x.unfold(2, 2, 1)),
    ("as_strided_oob", (3, 4), lambda x: x.as_strided((5, 5), (1, 2))),
    ("cat_empty_list", (3,), lambda x: _ops(x).cat([])),
    ("cat_0d", (), lambda x: _ops(x).cat([x, x])),
    ("cat_sizes", (2, 3), lambda x: _ops(x).cat([x, _ops(x).ones(2, 4)])),
    ("cat_sizes_dim1", (2, 3), lambda x: _ops(x).cat([x, _ops(x).ones(3, 4)], 1)),
    ("cat_ndim", (2, 3), lambda x: _ops(x).cat([x, _ops(x).ones(3)])),
    ("cat_dim", (2, 3), lambda x: _ops(x).cat([x, x], 2)),
    ("cat_tensor_arg", (2, 3), lambda x: _ops(x).cat(x)),
    ("cat_2d_empty", (2, 3), lambda x: _ops(x).cat([x, _ops(x).ones(2, 0)])),
    ("stack_sizes", (2, 3), lambda x: _ops(x).stack([x, _ops(x).ones(3)])),
    ("stack_empty", (2, 3), lambda x: _ops(x).stack([])),
    ("stack_dim", (2,), lambda x: _ops(x).stack([x], 2)),
    ("flip_dup", (2, 3), lambda x: x.flip(0, 0)),
    ("flip_dim", (2, 3), lambda x: x.flip(2)),
    ("fliplr_1d", (3,), lambda x: x.fliplr()),
    ("flipud_0d", (), lambda x: x.flipud()),
    ("rot90_same", (2, 3), lambda x: x.rot90(1, [0, 0])),
    ("rot90_wrap_same", (2, 3), lambda x: x.rot90(1, [0, -2])),
    ("rot90_1d", (2,), lambda x: x.rot90()),
    ("rot90_dims", (2, 3, 4), lambda x: x.rot90(1, [0, 1, 2])),
    ("roll_align", (3, 4), lambda x: x.roll((1, 2))),
    ("roll_align_dims", (3, 4), lambda x: x.roll((1, 2), (0,))),
    ("roll_0d_dim", (), lambda x: x.roll(1, 0)),
    ("roll_dim", (3, 4), lambda x: x.roll(1, 2)),
    ("repeat_few", (2, 3), lambda x: x.repeat(2)),
    ("repeat_negative", (2,), lambda x: x.repeat(-1, 2)),
    ("ri_output_size", (3,), lambda x: x.repeat_interleave(2, output_size=5)),
    ("ri_negative", (3,), lambda x: x.repeat_interleave(_ops(x).tensor([1, -2, 3]))),
    ("ri_size", (3,), lambda x: x.repeat_interleave(_ops(x).tensor([1, 2]))),
    ("ri_tensor_output_size", (3,), lambda x: x.repeat_interleave(_ops(x).tensor([1, 2, 3]),
                                                                  output_size=5)),
    ("ri_float_repeats", (3,), lambda x: x.repeat_interleave(_ops(x).ones(3))),
    ("ri_dim", (3,), lambda x: x.repeat_interleave(2, 1)),
    ("meshgrid_2d", (2, 2), lambda x: _ops(x).meshgrid(x, indexing="ij")),
    ("meshgrid_indexing", (2,), lambda x: _ops(x).meshgrid(x, indexing="yx")),
    ("meshgrid_dtype", (2,), lambda x: _ops(x).meshgrid(x, _ops(x).ones(2, dtype=_ops(x).int64),
                                                        indexing="ij")),
    ("movedim_range", (2, 3), lambda x: x.movedim(0, 2)),
]


def _raised(fn, x):
    try:
        fn(x)
    except Exception as exc:  # noqa: BLE001 - the type is what we compare
        return type(exc)
    return None


@pytest.mark.parametrize("name,shape,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, shape, fn):
    e, t = _pair(shape)
    expected = _raised(fn, t)
    assert expected is not None, f"torch accepts {name}"
    with pytest.raises(expected):
        fn(e)


def test_error_messages_name_sizes():
    with pytest.raises(RuntimeError, match="Expected size 3 but got size 4 for tensor number 1"):
        ember.cat([ember.ones(2, 3), ember.ones(2, 4)])
    with pytest.raises(RuntimeError, match=r"\[2, 3\] at entry 0 and \[3\] at entry 1"):
        ember.stack([ember.ones(2, 3), ember.ones(3)])
    with pytest.raises(RuntimeError, match="spans across two contiguous subspaces"):
        ember.ones(3, 4).t().view(12)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-3, 2\], but got 3"):
        ember.ones(2, 1, 3).squeeze(3)


# ------------------------------------------------------------------ in-place through views
INPLACE_VIEWS = [  # (name, ember view, torch view: the same region)
    ("select", lambda y: y.select(1, 2), None),
    ("narrow", lambda y: y.narrow(0, 1, 2), None),
    ("diagonal", lambda y: y.diagonal(1), None),
    ("transpose", lambda y: y.t(), None),
    ("reshape", lambda y: y.reshape(2, 6), None),
    ("view_chain", lambda y: y.view(12).unflatten(0, (6, 2)).select(1, 0), None),
    ("unsqueeze", lambda y: y.unsqueeze(0).squeeze(0), None),
    ("unfold", lambda y: y.unfold(1, 2, 2), None),
    ("permute", lambda y: y.permute(1, 0), None),
    # torch forbids in-place ops on outputs of multi-view functions; ember allows them and
    # must then agree with the single view of the same region
    ("split_piece", lambda y: y.split([1, 2])[1], lambda y: y.narrow(0, 1, 2)),
    ("unbind_piece", lambda y: y.unbind(1)[3], lambda y: y.select(1, 3)),
    ("chunk_piece", lambda y: y.chunk(2, 1)[1], lambda y: y.narrow(1, 2, 2)),
]


@pytest.mark.parametrize("name,fn,torch_fn", INPLACE_VIEWS, ids=[v[0] for v in INPLACE_VIEWS])
def test_inplace_through_view_gradients(name, fn, torch_fn):
    a = np.random.default_rng(5).standard_normal((3, 4))
    w = np.random.default_rng(6).standard_normal((3, 4))
    if torch_fn is not None:
        with pytest.raises(RuntimeError):
            fn(torch.tensor(a, requires_grad=True) * 1.5).mul_(3)
    grads = []
    for lib, view_fn in ((ember, fn), (torch, torch_fn or fn)):
        x = lib.tensor(a, requires_grad=True)
        y = x * 1.5
        v = view_fn(y)
        v.mul_(3)
        v.exp_()  # its backward reads the result: the view's history must be right
        loss = (y * lib.tensor(w)).sum() + (v * v).sum()
        loss.backward()
        grads.append((x.grad.numpy().copy(), y.detach().numpy().copy()))
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-10)
