"""The primitives and their gradients, one file per family (the only place they live)."""
from . import (activation, comparison, creation, decomposition, einsum, elementwise, floatmath,
               indexing, linalg, movement, nn, random, reduce, selection, special, spectral)

FAMILIES = (creation, elementwise, floatmath, selection, comparison, special, reduce, movement,
            indexing, einsum, linalg, decomposition, spectral, random, nn, activation)
