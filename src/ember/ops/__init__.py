"""The primitives and their gradients, one file per family (the only place they live)."""
from . import activation, creation, elementwise, indexing, linalg, movement, nn, random, reduce

FAMILIES = (creation, elementwise, reduce, movement, indexing, linalg, random, nn, activation)
