"""The workspaces a store knows (``queries/workspace_list.cypher``), on both backends."""

from __future__ import annotations

import pytest

from graphsvc.domain.models import Account, Bundle
from graphsvc.errors import NotFound
from graphsvc.keys import KeyRepository
from graphsvc.store.repository import GraphStore
from graphsvc.store.workspaces import list_workspaces, require_workspace


def test_workspaces_with_data_or_a_key_are_known(store: GraphStore, workspace: str) -> None:
    with_data, with_key = f"{workspace}-data", f"{workspace}-key"
    assert with_data not in list_workspaces(store.runner)
    store.import_bundle(workspace=with_data, bundle=Bundle(accounts=[Account(id="a", name="A")]))
    KeyRepository(store.runner).create(workspace=with_key, scope="read")
    # Twice the key's workspace (one key, then a second one) is still one row.
    KeyRepository(store.runner).create(workspace=with_key, scope="write")
    known = list_workspaces(store.runner)
    assert known == sorted(known) and len(known) == len(set(known))
    assert {with_data, with_key} <= set(known) and workspace not in known
    assert require_workspace(store.runner, with_data) == with_data
    with pytest.raises(NotFound, match=rf"did you mean '{with_data}'\?"):
        require_workspace(store.runner, with_data[:-1] + "x")
