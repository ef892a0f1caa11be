"""The buffer pool hands a large array out again only once nothing else refers to it."""
import numpy as np

from ember.backend.pool import BufferPool

SHAPE = (64, 1024)        # 256 KiB of float32: above the test pools' minimum


def _addr(a):
    return a.__array_interface__["data"][0]   # not a reference: holding one would keep it busy


def test_reuses_a_buffer_only_once_it_is_free():
    pool = BufferPool(min_bytes=1 << 16)
    a = pool.empty(np, SHAPE, np.float32)
    base = _addr(a)
    a[...] = 1
    b = pool.empty(np, SHAPE, np.float32)
    assert not np.shares_memory(a, b)          # a is still in use
    del a
    c = pool.empty(np, SHAPE, np.float32)
    assert _addr(c) == base and c.shape == SHAPE
    d = pool.empty(np, (1024, 64), np.float32)  # same size, other shape: another free buffer?
    assert not np.shares_memory(c, d)
    assert pool.empty(np, SHAPE, np.float64).dtype == np.float64


def test_views_and_user_arrays_keep_a_buffer_busy():
    pool = BufferPool(min_bytes=1 << 16)
    a = pool.empty(np, SHAPE, np.float32)
    view = a[1:, ::2]
    kept = [a.reshape(-1)]
    base = _addr(a)
    del a
    assert _addr(pool.empty(np, SHAPE, np.float32)) != base
    del view
    other = pool.empty(np, SHAPE, np.float32)
    assert _addr(other) != base                               # kept[0] still refers to it
    kept.clear()
    assert _addr(pool.empty(np, SHAPE, np.float32)) == base


def test_small_arrays_and_other_backends_are_not_pooled():
    pool = BufferPool(min_bytes=1 << 16)
    small = pool.empty(np, (4, 4), np.float32)
    assert small.base is None and pool.count == 0

    class OtherBackend:
        @staticmethod
        def empty(shape, dtype):
            return ("other", shape, dtype)
    assert pool.empty(OtherBackend, SHAPE, np.float32)[0] == "other"


def test_limits_drop_free_buffers_first_then_serve_unpooled():
    pool = BufferPool(min_bytes=1 << 16)
    pool.limit = 2
    held = [pool.empty(np, SHAPE, np.float32) for _ in range(2)]
    extra = pool.empty(np, SHAPE, np.float32)      # both pooled ones busy: not pooled
    assert extra.base is None and pool.count == 2
    held.pop()
    other = pool.empty(np, (32, 1024), np.float32)  # evicts the free one
    assert pool.count == 2 and other.base is not None
    pool.max_bytes = pool.nbytes                    # no room for more bytes
    big = pool.empty(np, (128, 1024), np.float32)
    assert big.base is None and big.shape == (128, 1024)
    pool.clear()
    assert pool.count == 0 and pool.nbytes == 0


def test_pooled_kernel_outputs_stay_intact_while_held(monkeypatch):
    from ember.backend import pool as pool_module
    monkeypatch.setattr(pool_module._pool, "min_bytes", 4 << 20)   # as without malloc tuning
    import ember
    import ember.nn.functional as F
    rng = np.random.default_rng(0)
    # conv and relu outputs of 8 MB
    xs = [ember.tensor(rng.standard_normal((16, 32, 66, 66), dtype=np.float32)) for _ in range(3)]
    w = ember.tensor(rng.standard_normal((32, 32, 3, 3), dtype=np.float32))
    outs = [F.relu(F.conv2d(x, w)) for x in xs]
    expect = [np.maximum(F.conv2d(x, w).numpy(), 0) for x in xs]
    assert all(o.numpy().base is not None for o in outs)     # pooled
    for o, e in zip(outs, expect):
        np.testing.assert_array_equal(o.numpy(), e)


def test_reuses_the_free_buffer_handed_out_last():
    pool = BufferPool(min_bytes=1 << 16)
    a, b = pool.empty(np, SHAPE, np.float32), pool.empty(np, SHAPE, np.float32)
    first, last = _addr(a), _addr(b)
    del a, b
    assert _addr(pool.empty(np, SHAPE, np.float32)) == last
    assert _addr(pool.empty(np, SHAPE, np.float32)) == last   # free again: still the warmest
    keep = pool.empty(np, SHAPE, np.float32)
    assert _addr(pool.empty(np, SHAPE, np.float32)) == first and _addr(keep) == last


def test_default_pool_takes_what_malloc_would_map_afresh():
    from ember.backend import pool as pool_module
    from ember.backend.cpu import MMAP_THRESHOLD, malloc_tuned
    assert pool_module._pool.min_bytes == (MMAP_THRESHOLD if malloc_tuned else 1 << 16)


_TRAIN = """
import numpy as np, ember, ember.nn as nn, ember.nn.functional as F
ember.manual_seed(0)
ember.set_num_threads(1)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.norm = nn.LayerNorm(16 * 16 * 16)
        self.attn = nn.MultiheadAttention(64, 4, dropout=0.1, batch_first=True)
        self.fc = nn.Linear(64, 10)
    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv(x)), 2)
        h = F.dropout(self.norm(h.flatten(1)), 0.2).reshape(x.shape[0], 64, 64)
        h = F.gelu(self.attn(h, h, h, need_weights=False)[0] + h)
        return self.fc(h.mean(1))
model = Net()
opt = ember.optim.Adam(model.parameters(), lr=1e-3)
rng = np.random.default_rng(0)
x = ember.tensor(rng.standard_normal((32, 3, 32, 32), dtype=np.float32))
y = ember.tensor(rng.integers(0, 10, 32))
losses = []
for _ in range(4):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
print(repr(losses), float(sum(p.detach().double().sum().item() for p in model.parameters())))
from ember.backend import pool
print(pool._pool.count)
"""


def test_training_with_pooled_buffers_matches_unpooled():
    """With glibc's malloc untuned the pool takes every array from 64 KiB (activations,
    gradients, products): a training run must give bit-identical results to one where malloc
    serves them all."""
    import os
    import subprocess
    import sys
    runs = []
    for tuning in ("1", "0"):
        env = dict(os.environ, EMBER_MALLOC_TUNING=tuning, OMP_NUM_THREADS="1")
        out = subprocess.run([sys.executable, "-c", _TRAIN], env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        runs.append(out.stdout.split("\n"))
    assert runs[0][0] == runs[1][0]
    assert int(runs[1][1]) > 10                     # the untuned run did use the pool
