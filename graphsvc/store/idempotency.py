"""Idempotency keys: a POST's ``Idempotency-Key`` and the response it got, kept 24 h.

One ``(:IdempotencyKey {key, ws, fingerprint, state, claimed_by, claimed_at,
expires_at, status, headers, body})`` node per workspace and key. A request *claims*
the key in one statement (``idempotency_claim.cypher``) before it runs, so of several
concurrent requests with one key exactly one runs; it then *records* its response
(``state = 'done'``) or *releases* the claim when it failed on our side. Each is a
single idempotent statement: FalkorDB has no multi-statement transactions.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from graphsvc.store.codecs import node_key
from graphsvc.store.core import RepositoryBase, check_workspace, now_ms


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: ``ours`` (run the request), else the record held."""

    ours: bool
    run_id: str
    state: str
    fingerprint: str
    status: int | None = None
    headers: list[tuple[str, str]] | None = None
    body: str | None = None


class IdempotencyRepository(RepositoryBase):
    def claim(
        self,
        *,
        workspace: str,
        idempotency_key: str,
        fingerprint: str,
        ttl_seconds: float,
        stale_seconds: float,
    ) -> Claim:
        """Claim ``idempotency_key`` for a request with ``fingerprint``. A claim older
        than ``stale_seconds`` that never finished is taken over (its process died)."""
        ws = check_workspace(workspace)
        now = now_ms()
        run_id = uuid.uuid4().hex
        rows = self.runner.write(
            "idempotency_claim",
            {
                "key": node_key(ws, idempotency_key),
                "ws": ws,
                "fingerprint": fingerprint,
                "run_id": run_id,
                "now": now,
                "expires_at": now + int(ttl_seconds * 1000),
                "stale_before": now - int(stale_seconds * 1000),
            },
        )
        row = rows[0]
        headers = json.loads(row["headers"]) if row.get("headers") else None
        return Claim(
            ours=bool(row["ours"]),
            run_id=run_id,
            state=str(row["state"]),
            fingerprint=str(row["fingerprint"]),
            status=int(row["status"]) if row.get("status") is not None else None,
            headers=[(str(k), str(v)) for k, v in headers] if headers else None,
            body=row.get("body"),
        )

    def record(
        self,
        *,
        workspace: str,
        idempotency_key: str,
        run_id: str,
        status: int,
        headers: list[tuple[str, str]],
        body: str | None,
    ) -> bool:
        """Keep the response of our claim for replay; False when the claim was lost."""
        ws = check_workspace(workspace)
        rows = self.runner.write(
            "idempotency_record",
            {
                "key": node_key(ws, idempotency_key),
                "run_id": run_id,
                "status": status,
                "headers": json.dumps(headers),
                "body": body,
            },
        )
        return bool(rows and int(rows[0]["recorded"]))

    def release(self, *, workspace: str, idempotency_key: str, run_id: str) -> None:
        """Drop our claim, so a retry with the same key runs the request."""
        ws = check_workspace(workspace)
        self.runner.write(
            "idempotency_release", {"key": node_key(ws, idempotency_key), "run_id": run_id}
        )

    def purge(self, *, limit: int = 1000, now: int | None = None) -> int:
        """Forget up to ``limit`` expired keys; returns how many."""
        rows = self.runner.write(
            "idempotency_purge", {"now": now if now is not None else now_ms(), "limit": limit}
        )
        return int(rows[0]["purged"]) if rows else 0
