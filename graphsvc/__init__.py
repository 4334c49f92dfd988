"""graphsvc: stakeholder influence graph analyzer for key-account sales."""

__version__ = "0.1.0"
