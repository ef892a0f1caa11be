"""The CPU backend: NumPy arrays."""
import numpy as xp  # noqa: F401  (the namespace op code receives from get_xp)

ndarray = xp.ndarray
