"""Image transforms (torchvision.transforms-compatible subset) on NumPy arrays and tensors."""
from __future__ import annotations

import numpy as np

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda", "RandomHorizontalFlip",
           "RandomCrop", "Pad"]


class Compose:
    """Composes several transforms together."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({body}\n)"


class ToTensor:
    """Convert an ``(H, W)`` or ``(H, W, C)`` uint8 array to a ``(C, H, W)`` float tensor in
    [0, 1]."""

    def __call__(self, pic):
        from ..ops.creation import from_numpy
        arr = np.asarray(pic)
        if arr.ndim == 2:
            arr = arr[None]
        else:
            arr = arr.transpose(2, 0, 1)
        if arr.dtype == np.uint8:
            return from_numpy(arr.astype(np.float32) / 255.0)
        return from_numpy(np.ascontiguousarray(arr, dtype=np.float32))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """Normalize a ``(C, H, W)`` tensor with per-channel mean and std."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        from ..ops.creation import tensor as make
        mean = make(self.mean, dtype=tensor.dtype).reshape(-1, 1, 1)
        std = make(self.std, dtype=tensor.dtype).reshape(-1, 1, 1)
        return (tensor - mean) / std

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user-defined function as a transform."""

    def __init__(self, lambd):
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)


class RandomHorizontalFlip:
    """Horizontally flip the image with probability ``p`` (uses ember's global RNG)."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        from ..ops.random import rand
        if rand(1).item() < self.p:
            return img.flip(-1) if hasattr(img, "flip") else np.ascontiguousarray(img[..., ::-1])
        return img


class Pad:
    """Pad the last two dims of an array/tensor with a constant."""

    def __init__(self, padding, fill=0):
        self.padding, self.fill = padding, fill

    def __call__(self, img):
        p = self.padding
        arr = img.numpy() if hasattr(img, "numpy") else np.asarray(img)
        width = [(0, 0)] * (arr.ndim - 2) + [(p, p), (p, p)]
        out = np.pad(arr, width, constant_values=self.fill)
        if hasattr(img, "numpy"):
            from ..ops.creation import from_numpy
            return from_numpy(out)
        return out


class RandomCrop:
    """Crop a random ``size`` window (after optional padding)."""

    def __init__(self, size, padding=None):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.pad = Pad(padding) if padding else None

    def __call__(self, img):
        from ..ops.random import randint
        if self.pad is not None:
            img = self.pad(img)
        h, w = img.shape[-2:]
        th, tw = self.size
        i = int(randint(0, h - th + 1, ()).item())
        j = int(randint(0, w - tw + 1, ()).item())
        return img[..., i:i + th, j:j + tw]
