"""Example data for docs, tests, demos and benchmarks, written with one builder.

See :mod:`graphsvc.examples.builder`.
"""

from graphsvc.examples.builder import DealBuilder, ExampleBuilder

__all__ = ["DealBuilder", "ExampleBuilder"]
