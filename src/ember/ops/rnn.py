"""Recurrent kernels: one fused Function per layer (every time step, both directions).

``RNNLayer`` runs a whole layer of an RNN (tanh/relu), LSTM (with optional projection) or GRU
on backend arrays, over a padded ``(T, B, I)`` input or the ``(N, I)`` data of a packed
sequence (its ``batch_sizes`` give the rows of each time step: step ``t`` covers the first
``batch_sizes[t]`` rows of its block, so shorter sequences simply drop out of later steps).

Forward precomputes the input projection of every time step at once (one GEMM per gate), then
per step does one (batched) GEMM ``h @ W_hh.T`` and the gate math in place in preallocated
buffers. Gates are kept gate-major, ``(gates, N, H)``, so each gate of a step is one
contiguous block (NumPy's fast paths); the LSTM's internally in the order (i, f, o, g). The
weights of sigmoid gates are pre-scaled by 1/2 so a single ``tanh`` call covers all gates of
a step (``sigmoid(z) = (1 + tanh(z / 2)) / 2``). Backward is backpropagation through time on
arrays: the activation derivatives of all steps are computed at once, each step costs a few
elementwise calls and one GEMM ``dgates @ W_hh``, and the weight and input gradients are
single GEMMs over all steps at the end. Large buffers come from a buffer pool of the layers'
own (backend/pool.py's BufferPool) so they are not page-faulted in again on every call.

Under ``create_graph`` the backward is computed from the composite of basic ember ops (the
same recurrences written with ``matmul``/``sigmoid``/``tanh``), so RNNs are differentiable
any number of times, as in torch's CPU implementation.

torch has no functional RNNs in ``torch.nn.functional``; the ``_VF``-like entry points here
(``rnn``, ``rnn_cell``) are private and used by ``ember.nn.RNN``/``LSTM``/``GRU`` and cells.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend.cpu import xp as _np
from ..backend.pool import BufferPool

__all__ = []

GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_IFOG = [0, 1, 3, 2]   # torch's LSTM gate order (i, f, g, o) <-> ours (i, f, o, g)


# ---------------------------------------------------------------- workspaces
# the layer's own buffers, from 64 KiB: each call reuses the same set of sizes
_empty = BufferPool(min_bytes=1 << 16, limit=48).empty


def _gates(xp, K, N, H, dt):
    """A gate-major ``(K, N, H)`` buffer whose gate blocks are not a power of two apart: at
    2 MiB strides the K blocks of a step alias in the caches (measured 1.5-1.8x slower)."""
    pad = 1088 // _np.dtype(dt).itemsize           # 17 cache lines
    flat = _empty(xp, (K, N * H + pad), dt)
    return flat[:, :N * H].reshape((K, N, H))


# ---------------------------------------------------------------- step bookkeeping
def _steps(shape, batch_sizes):
    """``[(first row, rows)]`` of each time step in the 2-D data, and the batch size."""
    if batch_sizes is None:
        T, B = shape[0], shape[1]
        return [(t * B, B) for t in range(T)], B
    steps = []
    s = 0
    for b in batch_sizes:
        steps.append((s, b))
        s += b
    return steps, (batch_sizes[0] if batch_sizes else 0)


def _state_rows(xp, Y, h0, prev, bs):
    """The state the ``bs`` rows of a step start from: the previous step's output for rows that
    were active there, the initial state for rows entering now (reverse direction)."""
    if prev is None:
        return h0[:bs]
    ps, pb = prev
    if bs <= pb:
        return Y[ps:ps + bs]
    return xp.concatenate((Y[ps:ps + pb], h0[pb:bs]))


def _prev_rows(xp, Y, h0, order, uniform):
    """``(N, P)``: the state each step started from, row-aligned with ``Y`` (for dW_hh)."""
    out = _empty(xp, Y.shape, Y.dtype)
    if uniform and order:
        B = order[0][1]
        n = out.shape[0]
        if order[0][0] == 0:       # forward in time
            out[:B] = h0
            out[B:] = Y[:n - B]
        else:
            out[n - B:] = h0
            out[:n - B] = Y[B:]
        return out
    prev = None
    for s, bs in order:
        out[s:s + bs] = _state_rows(xp, Y, h0, prev, bs)
        prev = (s, bs)
    return out


def _store_final(order, k, s, bs, pairs):
    """Rows that finish at step ``k`` (not active in the next one) keep their final state."""
    nb = order[k + 1][1] if k + 1 < len(order) else 0
    if nb < bs:
        for dst, src in pairs:
            dst[nb:bs] = src[s + nb:s + bs]


def _half_tanh_to_sigmoid_(a):
    """``a`` holds tanh(z / 2): make it sigmoid(z) = (1 + tanh(z / 2)) / 2 in place. The
    sigmoid gates' weights are pre-scaled by 1/2 (exact in binary floating point), so one
    tanh call covers every gate of a step."""
    a *= 0.5
    a += 0.5


# ---------------------------------------------------------------- forward, one direction
def _lstm_fwd(xp, X, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, order, hn, cn):
    N, In = X.shape
    H, P = w_hh.shape[0] // 4, w_hh.shape[1]
    dt = X.dtype
    Wi = w_ih.reshape((4, H, In))[_IFOG]
    Wi[:3] *= 0.5
    G = xp.matmul(X, Wi.transpose(0, 2, 1), out=_gates(xp, 4, N, H, dt))
    b = None
    if b_ih is not None:      # added per step to the small recurrent product (in cache)
        b = (b_ih + b_hh).reshape((4, 1, H))[_IFOG]
        b[:3] *= 0.5
    Whh = xp.ascontiguousarray(w_hh.reshape((4, H, P))[_IFOG].transpose(0, 2, 1))
    Whh[:3] *= 0.5
    WhrT = w_hr.T if w_hr is not None else None
    Y = _empty(xp, (N, P), dt)
    C = _empty(xp, (N, H), dt)
    Tc = _empty(xp, (N, H), dt)
    Hpre = _empty(xp, (N, H), dt) if w_hr is not None else None
    B = h0.shape[0]
    scratch = xp.empty((4 * B * H,), dt)
    tmp = xp.empty((B, H), dt)
    prev = None
    for k, (s, bs) in enumerate(order):
        e = s + bs
        hp = _state_rows(xp, Y, h0, prev, bs)
        cp = _state_rows(xp, C, c0, prev, bs)
        gh = scratch[:4 * bs * H].reshape((4, bs, H))
        xp.matmul(hp, Whh, out=gh)
        if b is not None:
            gh += b
        g = G[:, s:e]
        g += gh
        xp.tanh(g, out=g)
        _half_tanh_to_sigmoid_(g[:3])
        c = C[s:e]
        xp.multiply(g[1], cp, out=c)
        t = tmp[:bs]
        xp.multiply(g[0], g[3], out=t)
        c += t
        tc = Tc[s:e]
        xp.tanh(c, out=tc)
        if Hpre is None:
            xp.multiply(g[2], tc, out=Y[s:e])
        else:
            xp.multiply(g[2], tc, out=Hpre[s:e])
            xp.matmul(Hpre[s:e], WhrT, out=Y[s:e])
        _store_final(order, k, s, bs, ((hn, Y), (cn, C)))
        prev = (s, bs)
    return Y, (G, C, Tc, Hpre)


def _gru_fwd(xp, X, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, order, hn, cn):
    N, In = X.shape
    H = w_hh.shape[0] // 3
    dt = X.dtype
    Wi = w_ih.reshape((3, H, In)).copy()
    Wi[:2] *= 0.5
    G = xp.matmul(X, Wi.transpose(0, 2, 1), out=_gates(xp, 3, N, H, dt))
    bhn = None
    if b_ih is not None:
        b = b_ih.reshape((3, 1, H)).copy()
        b[:2] += b_hh[:2 * H].reshape((2, 1, H))
        b[:2] *= 0.5
        G += b
        bhn = b_hh[2 * H:]
    Whh = xp.ascontiguousarray(w_hh.reshape((3, H, H)).transpose(0, 2, 1))
    Whh[:2] *= 0.5
    Y = _empty(xp, (N, H), dt)
    HN = _empty(xp, (N, H), dt)
    B = h0.shape[0]
    scratch = xp.empty((3 * B * H,), dt)
    tmp = xp.empty((B, H), dt)
    prev = None
    for k, (s, bs) in enumerate(order):
        e = s + bs
        hp = _state_rows(xp, Y, h0, prev, bs)
        gh = scratch[:3 * bs * H].reshape((3, bs, H))
        xp.matmul(hp, Whh, out=gh)
        hnt = HN[s:e]
        if bhn is not None:
            xp.add(gh[2], bhn, out=hnt)
        else:
            hnt[...] = gh[2]
        g = G[:, s:e]
        rz = g[:2]
        rz += gh[:2]
        xp.tanh(rz, out=rz)
        _half_tanh_to_sigmoid_(rz)
        n = g[2]
        t = tmp[:bs]
        xp.multiply(g[0], hnt, out=t)
        n += t
        xp.tanh(n, out=n)
        xp.subtract(hp, n, out=t)
        t *= g[1]
        xp.add(n, t, out=Y[s:e])
        _store_final(order, k, s, bs, ((hn, Y),))
        prev = (s, bs)
    return Y, (G, HN)


def _rnn_fwd(relu):
    def fwd(xp, X, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, order, hn, cn):
        Y = xp.matmul(X, w_ih.T, out=_empty(xp, (X.shape[0], w_hh.shape[0]), X.dtype))
        b = None if b_ih is None else b_ih + b_hh
        WhhT = w_hh.T
        B, H = h0.shape
        tmp = xp.empty((B, H), Y.dtype)
        prev = None
        for k, (s, bs) in enumerate(order):
            y = Y[s:s + bs]
            t = tmp[:bs]
            xp.matmul(_state_rows(xp, Y, h0, prev, bs), WhhT, out=t)
            if b is not None:
                t += b
            y += t
            if relu:
                xp.maximum(y, 0, out=y)
            else:
                xp.tanh(y, out=y)
            _store_final(order, k, s, bs, ((hn, Y),))
            prev = (s, bs)
        return Y, ()
    return fwd


_FWD = {"LSTM": _lstm_fwd, "GRU": _gru_fwd, "RNN_TANH": _rnn_fwd(False),
        "RNN_RELU": _rnn_fwd(True)}


# ---------------------------------------------------------------- backward, one direction
# Each returns (dgates rows of the input side, its weight rows split, ...) through a common
# tail: ``dGr`` is (N, K*H) in torch's gate order, row-major, so the weight and input
# gradients are single GEMMs over all steps.

def _lstm_bwd(xp, X, h0, c0, Y, bufs, w_ih, w_hh, w_hr, order, uniform, dY, dh, dc):
    G, C, Tc, Hpre = bufs
    N = X.shape[0]
    H, P = w_hh.shape[0] // 4, w_hh.shape[1]
    dt = X.dtype
    i, f, o, g = G
    Hprev = _prev_rows(xp, Y, h0, order, uniform)
    Cprev = _prev_rows(xp, C, c0, order, uniform)
    # d(gates)/d(dc): A[:3] (i, f, g) multiply dc, A[3] (o) multiplies dh
    A = _gates(xp, 4, N, H, dt)
    for k, (a, b) in enumerate(((i, g), (f, Cprev))):
        xp.multiply(a, a, out=A[k])
        xp.subtract(a, A[k], out=A[k])
        A[k] *= b
    xp.multiply(g, g, out=A[2])
    xp.subtract(1, A[2], out=A[2])
    A[2] *= i
    xp.multiply(o, o, out=A[3])
    xp.subtract(o, A[3], out=A[3])
    A[3] *= Tc
    Bc = xp.multiply(Tc, Tc, out=_empty(xp, Tc.shape, dt))   # dc/dh through o * tanh(c)
    xp.subtract(1, Bc, out=Bc)
    Bc *= o
    dGr = _empty(xp, (N, 4 * H), dt)
    dG4 = dGr.reshape((N, 4, H))
    DHo = _empty(xp, (N, P), dt) if w_hr is not None else None
    B = dh.shape[0]
    scratch = xp.empty((4 * B * H,), dt)
    tmp = xp.empty((B, H), dt)
    dhp_buf = xp.empty((B, H), dt) if w_hr is not None else None
    for s, bs in reversed(order):
        e = s + bs
        dht = dh[:bs]
        if dY is not None:
            dht += dY[s:e]
        if DHo is None:
            dhp = dht
        else:
            DHo[s:e] = dht
            dhp = xp.matmul(dht, w_hr, out=dhp_buf[:bs])
        dct = dc[:bs]
        t = tmp[:bs]
        xp.multiply(dhp, Bc[s:e], out=t)
        dct += t
        dg = scratch[:4 * bs * H].reshape((4, bs, H))
        xp.multiply(A[:3, s:e], dct, out=dg[:3])
        xp.multiply(A[3, s:e], dhp, out=dg[3])
        dct *= f[s:e]
        dG4[s:e] = dg.transpose(1, 0, 2)
        xp.matmul(dGr[s:e], w_hh, out=dht)
    extra = {}
    if DHo is not None:
        extra["w_hr"] = DHo.T @ Hpre
    return dGr, None, Hprev, extra


def _gru_bwd(xp, X, h0, c0, Y, bufs, w_ih, w_hh, w_hr, order, uniform, dY, dh, dc):
    G, HN = bufs
    N = X.shape[0]
    H = w_hh.shape[0] // 3
    dt = X.dtype
    r, z, n = G
    Hprev = _prev_rows(xp, Y, h0, order, uniform)
    F = _gates(xp, 3, N, H, dt)
    for k, a in enumerate((r, z)):
        xp.multiply(a, a, out=F[k])
        xp.subtract(a, F[k], out=F[k])
    F[0] *= HN                        # dr_pre / dn_pre
    t = xp.subtract(Hprev, n, out=_empty(xp, n.shape, dt))
    F[1] *= t                         # dz_pre / dh
    xp.multiply(n, n, out=F[2])
    xp.subtract(1, F[2], out=F[2])
    xp.subtract(1, z, out=t)
    F[2] *= t                         # dn_pre / dh
    dGr = _empty(xp, (N, 3 * H), dt)  # hidden side: (dr, dz, dn * r)
    dG3 = dGr.reshape((N, 3, H))
    DN = _empty(xp, (N, H), dt)       # input side of n
    B = dh.shape[0]
    scratch = xp.empty((3 * B * H,), dt)
    tmp = xp.empty((B, H), dt)
    for s, bs in reversed(order):
        e = s + bs
        dht = dh[:bs]
        if dY is not None:
            dht += dY[s:e]
        dg = scratch[:3 * bs * H].reshape((3, bs, H))
        xp.multiply(dht, F[1, s:e], out=dg[1])
        dn = DN[s:e]
        xp.multiply(dht, F[2, s:e], out=dn)
        xp.multiply(dn, F[0, s:e], out=dg[0])
        xp.multiply(dn, r[s:e], out=dg[2])
        dG3[s:e] = dg.transpose(1, 0, 2)
        dht *= z[s:e]
        t = tmp[:bs]
        xp.matmul(dGr[s:e], w_hh, out=t)
        dht += t
    return dGr, DN, Hprev, {}


def _rnn_bwd(relu):
    def bwd(xp, X, h0, c0, Y, bufs, w_ih, w_hh, w_hr, order, uniform, dY, dh, dc):
        if relu:
            Fa = xp.greater(Y, 0, out=_empty(xp, Y.shape, Y.dtype))
        else:
            Fa = xp.multiply(Y, Y, out=_empty(xp, Y.shape, Y.dtype))
            xp.subtract(1, Fa, out=Fa)
        dGr = _empty(xp, Y.shape, Y.dtype)
        for s, bs in reversed(order):
            e = s + bs
            dht = dh[:bs]
            if dY is not None:
                dht += dY[s:e]
            xp.multiply(dht, Fa[s:e], out=dGr[s:e])
            xp.matmul(dGr[s:e], w_hh, out=dht)
        return dGr, None, _prev_rows(xp, Y, h0, order, uniform), {}
    return bwd


_BWD = {"LSTM": _lstm_bwd, "GRU": _gru_bwd, "RNN_TANH": _rnn_bwd(False),
        "RNN_RELU": _rnn_bwd(True)}


# ---------------------------------------------------------------- the layer
class RNNLayer(Function):
    """One layer (one or two directions) of an RNN/LSTM/GRU over a whole sequence.

    Inputs: ``x`` (T, B, I) or packed (N, I) data with ``batch_sizes``; ``h0`` (D, B, P) or
    None (zeros); ``c0`` (LSTM, (D, B, H)) or None; then per direction ``w_ih, w_hh, b_ih,
    b_hh, w_hr`` (None where absent). Outputs: the output sequence (..., D * P), ``h_n``
    (D, B, P) and for LSTM ``c_n``; with ``cell=True`` the states are (B, P) (an RNN cell).
    """
    _arrays = True

    @staticmethod
    def forward(ctx, x, h0, c0, *w, mode, batch_sizes=None, num_directions=1, cell=False):
        xp = ctx.xp
        D = num_directions
        order, B = _steps(x.shape, batch_sizes)
        N = order[-1][0] + order[-1][1] if order else 0
        X = x.reshape((N, x.shape[-1]))
        lstm = mode == "LSTM"
        w_hh = w[1]
        H, P = w_hh.shape[0] // GATES[mode], w_hh.shape[1]
        dt = x.dtype
        hN = xp.empty((D, B, P), dt)
        cN = xp.empty((D, B, H), dt) if lstm else None
        h0r = xp.zeros((D, B, P), dt) if h0 is None else h0.reshape((D, B, P))
        c0r = None
        if lstm:
            c0r = xp.zeros((D, B, H), dt) if c0 is None else c0.reshape((D, B, H))
        fwd = _FWD[mode]
        ys, bufs = [], []
        for d in range(D):
            od = order if d == 0 else order[::-1]
            y, buf = fwd(xp, X, h0r[d], None if c0r is None else c0r[d], *w[5 * d:5 * d + 5],
                         od, hN[d], None if cN is None else cN[d])
            ys.append(y)
            bufs.extend(buf)
        if D == 2:
            Y = xp.concatenate(ys, axis=1, out=_empty(xp, (N, D * P), dt))
        else:   # backward reads ys[0]: the output is a copy the caller may modify in place
            Y = ys[0]
            if ctx._edges:
                Y = _empty(xp, Y.shape, dt)
                Y[...] = ys[0]
        out = Y.reshape(tuple(x.shape[:-1]) + (D * P,))
        hout = hN.reshape((B, P)) if cell else hN
        ctx.set_materialize_grads(False)
        nb = len(bufs) // D
        ctx.opts = (mode, batch_sizes, D, cell, order, batch_sizes is None,
                    None if h0 is None else h0.shape, None if c0 is None else c0.shape, nb)
        inputs = (x, h0, c0) + tuple(w)
        ctx.present = tuple([a is not None for a in inputs])
        _save_present(ctx, inputs + (X, h0r, c0r) + tuple(ys) + tuple(bufs))
        if lstm:
            return out, hout, (cN.reshape((B, H)) if cell else cN)
        return out, hout

    @staticmethod
    def backward(ctx, *grads):
        if ctx.create_graph:
            return _graph_backward(ctx, grads)
        xp = ctx.xp
        mode, batch_sizes, D, cell, order, uniform, hshape, cshape, nb = ctx.opts
        n_in = len(ctx.present)
        saved = _saved_present(ctx, n_in + 3 + D + nb * D)
        x, h0, c0 = saved[:3]
        w = saved[3:n_in]
        X, h0r, c0r = saved[n_in:n_in + 3]
        ys = saved[n_in + 3:n_in + 3 + D]
        bufs = saved[n_in + 3 + D:]
        need = ctx.needs_input_grad
        gy, ghn = grads[0], grads[1]
        gcn = grads[2] if len(grads) > 2 else None
        lstm = mode == "LSTM"
        N = X.shape[0]
        B, P = h0r.shape[1], h0r.shape[2]
        if gy is not None:
            gy = gy.reshape((N, D * P))
        if ghn is not None:
            ghn = ghn.reshape((D, B, P))
        if gcn is not None:
            gcn = gcn.reshape((D, B, -1))
        dX = None
        dh0 = xp.empty_like(h0r) if need[1] else None
        dc0 = xp.empty_like(c0r) if lstm and need[2] else None
        dw = [None] * (5 * D)
        bwd = _BWD[mode]
        for d in range(D):
            od = order if d == 0 else order[::-1]
            w_ih, w_hh, b_ih, b_hh, w_hr = w[5 * d:5 * d + 5]
            dY = None if gy is None else (gy if D == 1 else gy[:, d * P:(d + 1) * P])
            dh = xp.zeros((B, P), X.dtype) if ghn is None else ghn[d].copy()
            dc = None
            if lstm:
                dc = xp.zeros(c0r.shape[1:], X.dtype) if gcn is None else gcn[d].copy()
            dGr, DN, Hprev, extra = bwd(xp, X, h0r[d], None if c0r is None else c0r[d],
                                        ys[d], bufs[d * nb:(d + 1) * nb], w_ih, w_hh, w_hr,
                                        od, uniform, dY, dh, dc)
            K2 = dGr.shape[1] if DN is None else dGr.shape[1] - DN.shape[1]
            base = 3 + 5 * d
            if need[base]:
                dWi = dGr[:, :K2].T @ X
                dw[5 * d] = dWi if DN is None else xp.concatenate((dWi, DN.T @ X))
            if need[base + 1]:
                dw[5 * d + 1] = dGr.T @ Hprev
            if (b_ih is not None and need[base + 2]) or (b_hh is not None and need[base + 3]):
                db_h = dGr.sum(0)
                db_i = db_h if DN is None else xp.concatenate((db_h[:K2], DN.sum(0)))
                dw[5 * d + 2] = db_i if need[base + 2] else None
                dw[5 * d + 3] = db_h if need[base + 3] else None
            if w_hr is not None and need[base + 4]:
                dw[5 * d + 4] = extra["w_hr"]
            if need[0]:
                part = xp.matmul(dGr[:, :K2], w_ih[:K2],
                                 out=_empty(xp, (N, w_ih.shape[1]), X.dtype))
                if DN is not None:
                    part += DN @ w_ih[K2:]
                if dX is None:
                    dX = part
                else:
                    dX += part
            if dh0 is not None:
                dh0[d] = dh
            if dc0 is not None:
                dc0[d] = dc
        if dX is not None:
            dX = dX.reshape(x.shape)
        if dh0 is not None:
            dh0 = dh0.reshape(hshape)
        if dc0 is not None:
            dc0 = dc0.reshape(cshape)
        return (dX, dh0, dc0) + tuple(dw)


def _save_present(ctx, items):
    """save_for_backward of the items that are not None (their slots are kept apart)."""
    ctx.slots = tuple([a is not None for a in items])
    ctx.save_for_backward(*[a for a in items if a is not None])


def _saved_present(ctx, n):
    it = iter(ctx.saved_tensors)
    return [next(it) if p else None for p in ctx.slots[:n]]


# ---------------------------------------------------------------- composite twin
class _Alias(Function):
    """Identity node: the composite backward's graph hangs from these, so the nested
    ``autograd.grad`` it runs stops at the layer's inputs."""
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        return a[...]

    @staticmethod
    def backward(ctx, g):
        return g


def _graph_backward(ctx, grads):
    """Backward under create_graph: differentiate the composite of ember ops, so the result
    is itself differentiable (double backward)."""
    from ..autograd import grad as _grad
    from ..autograd.grad_mode import enable_grad
    mode, batch_sizes, D, cell, *_ = ctx.opts
    n_in = len(ctx.present)
    inputs = _saved_present(ctx, n_in)
    need = ctx.needs_input_grad
    with enable_grad():
        al = [None if t is None else (_Alias.apply(t) if t.requires_grad else t)
              for t in inputs]
        outs = composite_layer(mode, al[0], al[1], al[2], al[3:], batch_sizes, D, cell)
        wrt = [a for a, n in zip(al, need) if n]
        nodes = [a.grad_fn for a in wrt]
        edges = [nd._edges for nd in nodes]
        pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
        for nd in nodes:
            nd._edges = [None]
        try:
            res = _grad([o for o, _ in pairs], wrt, [g for _, g in pairs], create_graph=True,
                        allow_unused=True)
        finally:
            for nd, e in zip(nodes, edges):
                nd._edges = e
    it = iter(res)
    return tuple([next(it) if n else None for n in need])


def composite_layer(mode, x, h0, c0, w, batch_sizes=None, num_directions=1, cell=False):
    """``RNNLayer`` written with basic ember ops (the reference twin; differentiable twice)."""
    import ember
    D = num_directions
    order, B = _steps(x.shape, batch_sizes)
    N = order[-1][0] + order[-1][1] if order else 0
    X = x.reshape(N, x.shape[-1])
    lstm = mode == "LSTM"
    H, P = w[1].shape[0] // GATES[mode], w[1].shape[1]
    zh = ember.zeros((B, P), dtype=x.dtype)
    zc = ember.zeros((B, H), dtype=x.dtype)
    h0r = None if h0 is None else h0.reshape(D, B, P)
    c0r = None if c0 is None else c0.reshape(D, B, H)
    ys, hs, cs = [], [], []
    for d in range(D):
        w_ih, w_hh, b_ih, b_hh, w_hr = w[5 * d:5 * d + 5]
        xw = ember.matmul(X, w_ih.t())
        if b_ih is not None:
            xw = xw + b_ih
        h = zh if h0r is None else h0r[d]
        c = zc if c0r is None else c0r[d]
        outs = {}
        for s, bs in (order if d == 0 else order[::-1]):
            hp = h[:bs]
            gh = ember.matmul(hp, w_hh.t())
            if b_hh is not None:
                gh = gh + b_hh
            gx = xw[s:s + bs]
            if lstm:
                gt = gx + gh
                i, f = ember.sigmoid(gt[:, :H]), ember.sigmoid(gt[:, H:2 * H])
                g, o = ember.tanh(gt[:, 2 * H:3 * H]), ember.sigmoid(gt[:, 3 * H:])
                cy = f * c[:bs] + i * g
                hy = o * ember.tanh(cy)
                if w_hr is not None:
                    hy = ember.matmul(hy, w_hr.t())
                c = cy if bs == B else ember.cat([cy, c[bs:]])
            elif mode == "GRU":
                r = ember.sigmoid(gx[:, :H] + gh[:, :H])
                z = ember.sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
                n = ember.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
                hy = (1 - z) * n + z * hp
            else:
                pre = gx + gh
                hy = ember.relu(pre) if mode == "RNN_RELU" else ember.tanh(pre)
            outs[s] = hy
            h = hy if bs == B else ember.cat([hy, h[bs:]])
        ys.append(ember.cat([outs[s] for s, _ in order]))
        hs.append(h)
        cs.append(c)
    Y = ys[0] if D == 1 else ember.cat(ys, 1)
    Y = Y.reshape(*(tuple(x.shape[:-1]) + (D * P,)))
    hN = hs[0] if cell else ember.stack(hs)
    if lstm:
        return Y, hN, (cs[0] if cell else ember.stack(cs))
    return Y, hN


# ---------------------------------------------------------------- entry points (like _VF)
def _dropout(x, p):
    from .dropout import dropout
    return dropout(x, p, True)


def rnn(mode, input, hx, cx, weights, num_layers, dropout, train, bidirectional,
        batch_sizes=None):
    """A stacked (bi)directional RNN over a time-major ``(T, B, I)`` input, or the data of a
    packed sequence with ``batch_sizes`` (a sequence of ints). ``weights``: for each layer and
    direction the 5-tuple ``(w_ih, w_hh, b_ih, b_hh, w_hr)`` (None where absent). ``hx`` /
    ``cx``: (num_layers * D, B, *) or None for zeros. Returns ``(output, h_n[, c_n])``."""
    D = 2 if bidirectional else 1
    lstm = mode == "LSTM"
    x = input
    if batch_sizes is None and x.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    hs, cs = [], []
    for layer in range(num_layers):
        h0, c0 = hx, cx
        if num_layers > 1:
            h0 = None if hx is None else hx[layer * D:(layer + 1) * D]
            c0 = None if cx is None else cx[layer * D:(layer + 1) * D]
        w = []
        for d in range(D):
            w.extend(weights[layer * D + d])
        outs = RNNLayer.apply(x, h0, c0, *w, mode=mode, batch_sizes=batch_sizes,
                              num_directions=D)
        x = outs[0]
        hs.append(outs[1])
        if lstm:
            cs.append(outs[2])
        if dropout > 0 and train and layer < num_layers - 1:
            x = _dropout(x, dropout)
    if num_layers == 1:
        hN, cN = hs[0], (cs[0] if lstm else None)
    else:
        import ember
        hN = ember.cat(hs)
        cN = ember.cat(cs) if lstm else None
    return (x, hN, cN) if lstm else (x, hN)


def rnn_cell(mode, input, hx, cx, w_ih, w_hh, b_ih, b_hh):
    """One step of an RNN/LSTM/GRU cell on a batched ``(B, I)`` input (``hx``/``cx`` (B, H) or
    None): ``h'`` or ``(h', c')``."""
    outs = RNNLayer.apply(input, hx, cx, w_ih, w_hh, b_ih, b_hh, None, mode=mode,
                          batch_sizes=(input.shape[0],), num_directions=1, cell=True)
    return (outs[1], outs[2]) if mode == "LSTM" else outs[1]
