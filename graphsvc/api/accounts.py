"""``/v1/accounts``: upsert, read and delete customer accounts (rules: AccountService)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from graphsvc.api.deps import Accounts, ReadKey, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AccountId
from graphsvc.api.schemas import AccountIn, AccountOut, render

router = APIRouter(prefix="/v1/accounts", tags=["accounts"],
                   responses=error_responses(401, 403, 404, 409, 413, 422))


@router.put("/{account_id}", response_model=AccountOut, summary="Create or update an account")
def put_account(account_id: AccountId, body: AccountIn, principal: WriteKey,
                accounts: Accounts) -> Response:
    account = accounts.upsert(workspace=principal.workspace, account_id=account_id, fields=body)
    return render(AccountOut.of(account))


@router.get("/{account_id}", response_model=AccountOut, summary="Read an account")
def get_account(account_id: AccountId, principal: ReadKey, accounts: Accounts) -> Response:
    account = accounts.get(workspace=principal.workspace, account_id=account_id)
    return render(AccountOut.of(account))


@router.delete("/{account_id}", status_code=204, response_class=Response,
               summary="Delete an account")
def delete_account(account_id: AccountId, principal: WriteKey, accounts: Accounts) -> Response:
    accounts.delete(workspace=principal.workspace, account_id=account_id)
    return Response(status_code=204)
