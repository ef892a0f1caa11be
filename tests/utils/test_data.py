"""ember.utils.data: datasets, samplers, collate (vs torch), and real worker processes."""
import collections
import glob
import os
import signal
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import ember
from ember.utils import data as eud


class Squares(eud.Dataset):
    def __init__(self, n=40):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ember.tensor([float(i), float(i * i)]), i


def _to_np(x):
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return x.detach().numpy()
    return x


def _same_structure(e, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), type(e)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(_to_np(e), _to_np(t))
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in t:
            _same_structure(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), (type(e), type(t))
        for a, b in zip(e, t):
            _same_structure(a, b)
    else:
        assert e == t


Point = collections.namedtuple("Point", ["x", "y"])


@pytest.mark.parametrize("batch", [
    [1, 2, 3],
    [1.5, 2.5],
    [True, False],
    ["a", "b"],
    [np.arange(3), np.arange(3) + 1],
    [np.float32(1.5), np.float32(2.0)],
    [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
    [(1, "x"), (2, "y")],
    [Point(1, 2.0), Point(3, 4.0)],
    [[1, 2], [3, 4]],
])
def test_default_collate_matches_torch(batch):
    _same_structure(eud.default_collate(batch), tud.default_collate(batch))


def test_default_collate_tensors_and_errors():
    e = eud.default_collate([ember.ones(2, 3), ember.zeros(2, 3)])
    t = tud.default_collate([torch.ones(2, 3), torch.zeros(2, 3)])
    _same_structure(e, t)
    with pytest.raises(TypeError):
        eud.default_collate([object(), object()])
    with pytest.raises(RuntimeError):
        eud.default_collate([[1, 2], [1]])
    _same_structure(eud.default_convert({"a": np.arange(2)}),
                    tud.default_convert({"a": np.arange(2)}))


def test_datasets_and_random_split():
    ds = eud.TensorDataset(ember.arange(10), ember.arange(10) * 2)
    assert len(ds) == 10 and ds[3][1].item() == 6
    cat = eud.ConcatDataset([Squares(3), Squares(4)])
    assert len(cat) == 7 and cat[4][1] == 1 and cat[-1][1] == 3
    stack = eud.StackDataset(a=Squares(3), b=Squares(3))
    assert stack[2]["b"][1] == 2
    parts = eud.random_split(range(10), [0.5, 0.3, 0.2], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [5, 3, 2]
    assert sorted(i for p in parts for i in p) == list(range(10))
    a = eud.random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(1))
    b = eud.random_split(range(10), [3, 7], generator=ember.Generator().manual_seed(1))
    assert list(a[0]) == list(b[0])
    with pytest.raises(ValueError):
        eud.random_split(range(10), [3, 3])


def test_samplers():
    assert list(eud.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    perm = list(eud.RandomSampler(range(20), generator=ember.Generator().manual_seed(3)))
    assert sorted(perm) == list(range(20)) and perm != list(range(20))
    rep = list(eud.RandomSampler(range(5), replacement=True, num_samples=50))
    assert len(rep) == 50 and set(rep) <= set(range(5))
    assert list(eud.BatchSampler(range(7), 3, False)) == list(tud.BatchSampler(range(7), 3, False))
    assert len(eud.BatchSampler(range(7), 3, True)) == 2
    w = list(eud.WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 20))
    assert w == [2] * 20
    sub = list(eud.SubsetRandomSampler([4, 7, 9]))
    assert sorted(sub) == [4, 7, 9]


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("shuffle", [False, True])
def test_distributed_sampler_partitions_like_torch(shuffle, drop_last):
    n, reps = 11, 3
    shards_e = [list(eud.DistributedSampler(range(n), reps, r, shuffle=shuffle,
                                            drop_last=drop_last)) for r in range(reps)]
    shards_t = [list(tud.DistributedSampler(range(n), reps, r, shuffle=shuffle,
                                            drop_last=drop_last)) for r in range(reps)]
    assert [len(s) for s in shards_e] == [len(s) for s in shards_t]
    if not shuffle:
        assert shards_e == shards_t
    else:
        covered = sorted(i for s in shards_e for i in s)
        assert set(covered) <= set(range(n))
        s = eud.DistributedSampler(range(n), reps, 0, shuffle=True)
        first = list(s)
        s.set_epoch(1)
        assert list(s) != first or n < 3


def test_dataloader_single_process_batches_and_len():
    dl = eud.DataLoader(Squares(10), batch_size=4)
    batches = list(dl)
    assert len(dl) == len(batches) == 3
    assert batches[0][1].tolist() == [0, 1, 2, 3] and batches[-1][0].shape == (2, 2)
    assert len(eud.DataLoader(Squares(10), batch_size=4, drop_last=True)) == 2
    unbatched = list(eud.DataLoader(Squares(3), batch_size=None))
    assert unbatched[1][1] == 1


@pytest.mark.parametrize("num_workers", [1, 2])
def test_workers_deliver_in_order(num_workers):
    dl = eud.DataLoader(Squares(37), batch_size=4, num_workers=num_workers)
    got = [y.tolist() for _, y in dl]
    expected = [list(range(i, min(i + 4, 37))) for i in range(0, 37, 4)]
    assert got == expected


class RandomAug(eud.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = eud.get_worker_info()
        return ember.rand(1).item(), float(np.random.rand()), info.id if info else -1


def test_worker_seeding_differs_per_worker_and_is_reproducible():
    def run(seed):
        g = ember.Generator().manual_seed(seed)
        dl = eud.DataLoader(RandomAug(), batch_size=2, num_workers=2, generator=g)
        return [(b[0].tolist(), b[1].tolist(), b[2].tolist()) for b in dl]
    a, b, c = run(0), run(0), run(1)
    assert a == b and a != c
    w0 = [x for batch in a for x, wid in zip(batch[0], batch[2]) if wid == 0]
    w1 = [x for batch in a for x, wid in zip(batch[0], batch[2]) if wid == 1]
    assert w0 and w1 and w0[0] != w1[0]
    assert eud.get_worker_info() is None


class Shards(eud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = eud.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_dataset_sharded_by_worker_info():
    dl = eud.DataLoader(Shards(10), batch_size=2, num_workers=2)
    items = sorted(i for b in dl for i in b.tolist())
    assert items == list(range(10))
    assert sorted(i for b in eud.DataLoader(Shards(5), batch_size=2) for i in b.tolist()) == \
        list(range(5))


class Faulty(eud.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return i


def test_worker_exception_reraised_with_traceback():
    dl = eud.DataLoader(Faulty(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError,
                       match="(?s)Caught ValueError in DataLoader worker.*bad sample 5"):
        list(dl)


class Suicidal(eud.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 4:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_killed_worker_raises_instead_of_hanging():
    dl = eud.DataLoader(Suicidal(), batch_size=2, num_workers=2)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(dl)
    assert time.monotonic() - start < 20


class Slow(eud.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(3)
        return i


def test_timeout():
    dl = eud.DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.5)
    with pytest.raises(RuntimeError, match="timed out"):
        next(iter(dl))


def test_interrupted_epoch_shuts_workers_down_and_frees_shared_memory():
    before = set(glob.glob("/dev/shm/ember_*"))
    big = eud.TensorDataset(ember.zeros(64, 64, 64))  # 64 KiB per sample: shared memory path
    dl = eud.DataLoader(big, batch_size=4, num_workers=2)
    it = iter(dl)
    first = next(it)
    assert first[0].shape == (4, 64, 64)
    workers = list(it._workers)
    del it
    for w in workers:
        w.join(timeout=5)
        assert not w.is_alive()
    after = set(glob.glob("/dev/shm/ember_*"))
    assert after <= before


def test_persistent_workers_and_worker_init_fn():
    seen = []
    dl = eud.DataLoader(Squares(6), batch_size=3, num_workers=2, persistent_workers=True,
                        worker_init_fn=lambda wid: seen.append(wid))
    epoch1 = [y.tolist() for _, y in dl]
    it = dl._iterator
    epoch2 = [y.tolist() for _, y in dl]
    assert epoch1 == epoch2 == [[0, 1, 2], [3, 4, 5]]
    assert dl._iterator is it
    it._shutdown_workers()


def test_argument_errors_like_torch():
    with pytest.raises(ValueError):
        eud.DataLoader(Squares(), sampler=eud.SequentialSampler(range(3)), shuffle=True)
    with pytest.raises(ValueError):
        eud.DataLoader(Shards(3), shuffle=True)
    with pytest.raises(ValueError):
        eud.DataLoader(Squares(), num_workers=-1)
    with pytest.raises(ValueError):
        eud.DataLoader(Squares(), batch_sampler=eud.BatchSampler(range(3), 2, False),
                       batch_size=2)
