"""``/v1/accounts``: upsert, read and delete customer accounts."""

from __future__ import annotations

from fastapi import APIRouter, Response

from graphsvc.api.deps import ReadKey, Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AccountId
from graphsvc.api.schemas import AccountIn, AccountOut, render
from graphsvc.domain.models import Account

router = APIRouter(prefix="/v1/accounts", tags=["accounts"],
                   responses=error_responses(401, 403, 404, 409, 413, 422))


@router.put("/{account_id}", response_model=AccountOut, summary="Create or update an account")
def put_account(account_id: AccountId, body: AccountIn, principal: WriteKey,
                store: Store) -> Response:
    account = Account(id=account_id, name=body.name, tier=body.tier)
    store.upsert_accounts(workspace=principal.workspace, accounts=[account])
    return render(AccountOut.of(account))


@router.get("/{account_id}", response_model=AccountOut, summary="Read an account")
def get_account(account_id: AccountId, principal: ReadKey, store: Store) -> Response:
    account = store.get_account(workspace=principal.workspace, account_id=account_id)
    return render(AccountOut.of(account))


@router.delete("/{account_id}", status_code=204, response_class=Response,
               summary="Delete an account")
def delete_account(account_id: AccountId, principal: WriteKey, store: Store) -> Response:
    # Checked first: a delete statement bumps the workspace revision even when it misses.
    store.get_account(workspace=principal.workspace, account_id=account_id)
    store.delete_account(workspace=principal.workspace, account_id=account_id)
    return Response(status_code=204)
