"""Image datasets that read local files (nothing is downloaded): MNIST-format IDX files such
as Fashion-MNIST (Debian's ``dataset-fashion-mnist`` package) and scikit-learn's digits."""
from __future__ import annotations

import gzip
import os

import numpy as np

from ..utils.data import Dataset

__all__ = ["MNIST", "FashionMNIST", "Digits", "DEBIAN_FASHION_MNIST"]

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Read an IDX file (optionally gzipped) into a NumPy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise RuntimeError(f"{path} is not an IDX file")
    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
             0x0E: ">f8"}[raw[2]]
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise RuntimeError(f"{path}: truncated IDX file ({data.size} of {np.prod(shape)} items)")
    return data.reshape(shape).astype(np.dtype(dtype).newbyteorder("="), copy=False)


class MNIST(Dataset):
    """MNIST-format dataset read from IDX files in ``root``.

    Files are looked up as ``root/<name>`` (or ``.gz``), then ``root/<ClassName>/raw/<name>``
    (torchvision's layout). Samples are ``(image, target)`` with the image an ``(28, 28)``
    uint8 NumPy array (``transforms.ToTensor`` turns it into a ``(1, 28, 28)`` float tensor in
    [0, 1]); ``.data`` and ``.targets`` hold the whole split as tensors.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    default_root = None

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None,
                 download: bool = False):
        if download:
            raise RuntimeError("ember.vision datasets never download: point root at local "
                               "IDX files")
        self.root = root if root is not None else self.default_root
        if self.root is None:
            raise ValueError("root is required")
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        prefix = "train" if train else "t10k"
        from ..ops.creation import from_numpy
        self.data = from_numpy(read_idx(self._find(f"{prefix}-images-idx3-ubyte")))
        self.targets = from_numpy(read_idx(self._find(f"{prefix}-labels-idx1-ubyte"))
                                  .astype(np.int64))

    def _find(self, name):
        candidates = []
        for folder in (self.root, os.path.join(self.root, type(self).__name__, "raw")):
            for ext in ("", ".gz"):
                candidates.append(os.path.join(folder, name + ext))
        for c in candidates:
            if os.path.exists(c):
                return c
        raise RuntimeError(f"Dataset not found: none of {candidates} exists")

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        img = self.data._data[index]
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"

    def __repr__(self):
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
                f"    Root location: {self.root}\n    {self.extra_repr()}")


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's 28x28 clothing images), read from IDX files; the default
    ``root`` is where Debian's ``dataset-fashion-mnist`` package installs them."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    default_root = DEBIAN_FASHION_MNIST


class Digits(Dataset):
    """scikit-learn's 8x8 handwritten digits (1,797 images), split deterministically into
    train (first 80% of a fixed permutation) and test. Needs scikit-learn."""

    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None):
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError("Digits needs scikit-learn: pip install scikit-learn") from None
        digits = load_digits()
        images = (digits.images * (255.0 / 16.0)).round().astype(np.uint8)
        order = np.random.default_rng(0).permutation(len(images))
        cut = int(0.8 * len(images))
        idx = order[:cut] if train else order[cut:]
        from ..ops.creation import from_numpy
        self.data = from_numpy(np.ascontiguousarray(images[idx]))
        self.targets = from_numpy(digits.target[idx].astype(np.int64))
        self.train = train
        self.transform = transform
        self.target_transform = target_transform

    __len__ = MNIST.__len__
    __getitem__ = MNIST.__getitem__
