"""The primitives and their gradients, one file per family (the only place they live)."""
from . import creation, elementwise, linalg, movement, reduce

FAMILIES = (creation, elementwise, reduce, movement, linalg)
