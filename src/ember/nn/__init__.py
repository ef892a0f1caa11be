"""ember.nn: modules, layers, functional, init and losses."""
from .parameter import Buffer, Parameter  # noqa: F401
