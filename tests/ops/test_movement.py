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
    return [Sample((r((3, 4)), 0, 1, 2)), Sample((r((3, 4)), 1, -2, 2)), Sample((r((3, 4)), -1, 0, 0)),
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
    return [Sample((r((5, 4)), 0, 2, 1)), Sample((r((5, 4)), 0, 2, 2)), Sample((r((5, 4)), 1, 3, 1)),
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
    _op("permute", lambda a, d: a.permute(*d), _perm_samples),
    _op("permute_tuple", lambda a, d: a.permute(d), _perm_samples),
    _op("transpose", lambda a, d0, d1: a.transpose(d0, d1), _transpose_samples),
    _op("swapaxes", lambda a, d0, d1: a.swapaxes(d0, d1), _transpose_samples),
    _op("swapdims", lambda a, d0, d1: a.swapdims(d0, d1), _transpose_samples),
    _op("t", lambda a: a.t(), _t_samples),
    _op("T", lambda a: a.T, lambda rng: _mat(rng, ((3, 4), (), (2, 3, 4)[:2]))),
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
    _op("repeat", lambda a, s: a.repeat(*s), _repeat_samples),
    _op("repeat_tuple", lambda a, s: a.repeat(s), _repeat_samples),
    _op("tile", lambda a, s: a.tile(s), _tile_samples),
    _op("repeat_interleave", lambda a, *args: a.repeat_interleave(*args), _ri_samples),
    _op("flip", lambda a, d: a.flip(d), _flip_samples),
    _op("flip_varargs", lambda a, d: a.flip(*d), _flip_samples),
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
    OpInfo("atleast_1d", ember.atleast_1d, torch.atleast_1d, _atleast_samples),
    OpInfo("atleast_2d", ember.atleast_2d, torch.atleast_2d, _atleast_samples),
    OpInfo("atleast_3d", ember.atleast_3d, torch.atleast_3d, _atleast_samples),
    OpInfo("atleast_2d_many", lambda *a: ember.atleast_2d(*a), lambda *a: torch.atleast_2d(*a),
           lambda rng: [Sample((_r(rng)(()), _r(rng)((3,)), _r(rng)((2, 2))))]),
    _op("unfold", lambda a, d, s, st: a.unfold(d, s, st), _unfold_samples),
    OpInfo("as_strided", ember.as_strided, torch.as_strided, _as_strided_samples),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_op(op, sample, dtype):
    run_generic(op, sample, dtype)
