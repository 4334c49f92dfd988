"""A second process on the test's store (the alert job next to the API), driven line by
line over stdin/stdout by tests/analysis/test_kept_processes.py:

* ``write DEAL PERSON STANCE``: record the stance, then read the kept results (keeping
  any it re-analyses) and answer ``ack``;
* ``check DEAL``: answer ``ok`` when this process's kept result of the deal equals a
  fresh scan at the same instant, else ``bad <reason>``;
* ``rebuild``: re-analyse every open deal two at a time, answering ``batch`` after each
  kept batch and waiting for a line before the next one (the test kills it there).

The store is the one the environment names (``NEO4J_URI`` or ``GRAPHSVC_DATA_DIR``).
"""

from __future__ import annotations

import sys

from graphsvc.analysis.results import KeptResults
from graphsvc.analysis.service import AnalysisService
from graphsvc.config import get_settings
from graphsvc.domain.models import Membership, Role, utcnow
from graphsvc.store.repository import GraphStore


def main(workspace: str) -> None:
    settings = get_settings()
    store = GraphStore.open(settings)
    service = AnalysisService(store=store, settings=settings)
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "write":
            deal, person, stance = args
            store.record_memberships(
                workspace=workspace,
                memberships=[
                    Membership(
                        deal_id=deal, stakeholder_id=person, role=Role.economic_buyer, stance=stance
                    )
                ],
            )
            service.kept.risks(workspace=workspace)
            print("ack", flush=True)
        elif command == "check":
            instant = utcnow()
            kept = {r.deal_id: r for r in service.kept.risks(workspace=workspace, at=instant)}
            fresh = {r.deal_id: r for r in service.scan(workspace=workspace, as_of=instant)}
            same = kept[args[0]].model_dump() == fresh[args[0]].model_dump()
            print("ok" if same else f"bad {kept[args[0]]} != {fresh[args[0]]}", flush=True)
        elif command == "rebuild":
            slow = KeptResults(store=store, params=service.params, batch_size=2)

            def pause(done: int, total: int) -> None:
                print("batch", flush=True)
                sys.stdin.readline()

            slow.rebuild(workspace=workspace, progress=pause)
            print("done", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1])
