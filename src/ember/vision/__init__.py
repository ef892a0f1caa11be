"""ember.vision: datasets and transforms for images (torchvision-compatible subset)."""
from . import datasets, transforms  # noqa: F401
