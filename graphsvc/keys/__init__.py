"""API keys: high-entropy bearer keys, shown once, stored as their sha256 in the graph store."""

from graphsvc.keys.repository import ApiKeyRecord, KeyRepository, Scope, hash_key, new_key

__all__ = ["ApiKeyRecord", "KeyRepository", "Scope", "hash_key", "new_key"]
