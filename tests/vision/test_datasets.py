import gzip
import os
import struct

import numpy as np
import pytest

import ember
from ember.vision import datasets, transforms


def _write_idx(path, arr, gz=False):
    code = {np.uint8: 0x08, np.int32: 0x0C}[arr.dtype.type]
    header = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    payload = header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(payload)


@pytest.mark.parametrize("layout", ["flat", "torchvision"])
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_format_reader(tmp_path, layout, gz):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (5, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 10, 5).astype(np.uint8)
    folder = tmp_path if layout == "flat" else tmp_path / "FashionMNIST" / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    _write_idx(str(folder / f"t10k-images-idx3-ubyte{ext}"), imgs, gz)
    _write_idx(str(folder / f"t10k-labels-idx1-ubyte{ext}"), labels, gz)
    ds = datasets.FashionMNIST(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(ds) == 5
    x, y = ds[3]
    assert x.shape == (1, 28, 28) and x.dtype is ember.float32 and y == labels[3]
    np.testing.assert_allclose(x.numpy()[0], imgs[3] / 255.0, rtol=1e-6)
    assert ds.targets.dtype is ember.int64 and ds.data.shape == (5, 28, 28)
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.FashionMNIST(str(tmp_path), train=True)


def test_truncated_idx_is_an_error(tmp_path):
    imgs = np.zeros((4, 28, 28), np.uint8)
    _write_idx(str(tmp_path / "x"), imgs)
    raw = (tmp_path / "x").read_bytes()
    (tmp_path / "x").write_bytes(raw[:-10])
    with pytest.raises(RuntimeError, match="truncated"):
        datasets.read_idx(str(tmp_path / "x"))


@pytest.mark.skipif(not os.path.isdir(datasets.DEBIAN_FASHION_MNIST),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_real_fashion_mnist():
    test = datasets.FashionMNIST(train=False)
    assert len(test) == 10000 and test.data.shape == (10000, 28, 28)
    counts = np.bincount(test.targets.numpy(), minlength=10)
    assert (counts == 1000).all()


def test_digits_split_and_transforms():
    pytest.importorskip("sklearn")
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) + len(test) == 1797 and train.data.shape[1:] == (8, 8)
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5], [0.25])])
    x, _ = train[0]
    out = t(x)
    np.testing.assert_allclose(out.numpy(), (x[None] / 255.0 - 0.5) / 0.25, rtol=1e-5)
