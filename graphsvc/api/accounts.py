"""``/v1/accounts``: upsert, patch, read and delete customer accounts (rules:
AccountService)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from graphsvc.api.conditional import (
    IfNoneMatchRead,
    JsonBodyOnly,
    MergePatch,
    WriteCondition,
    location,
    render_authored,
    render_read,
)
from graphsvc.api.deps import Accounts, ReadKey, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.params import AccountId
from graphsvc.api.schemas import AccountIn, AccountOut
from graphsvc.services import AccountService
from graphsvc.services.versioned import Written

router = APIRouter(
    prefix="/v1/accounts",
    tags=["accounts"],
    dependencies=[JsonBodyOnly],
)


def _answer(
    written: Written[Any], accounts: AccountService, workspace: str, account_id: str
) -> Response:
    """A written account with who created and last changed it."""
    return render_authored(
        AccountOut,
        written,
        lambda: accounts.get_authored(workspace=workspace, account_id=account_id),
        at=location("v1", "accounts", account_id),
    )


@router.put(
    "/{account_id}",
    response_model=AccountOut,
    summary="Create or update an account",
    responses={201: {"model": AccountOut, "description": "Created"}},
)
def put_account(
    account_id: AccountId,
    body: AccountIn,
    principal: WriteKey,
    accounts: Accounts,
    condition: WriteCondition,
) -> Response:
    written = accounts.put(
        workspace=principal.workspace,
        account_id=account_id,
        fields=body,
        condition=condition,
        actor=principal.actor,
    )
    return _answer(written, accounts, principal.workspace, account_id)


@router.patch(
    "/{account_id}",
    response_model=AccountOut,
    summary="Change some fields of an account (JSON merge patch)",
)
def patch_account(
    account_id: AccountId,
    patch: MergePatch,
    principal: WriteKey,
    accounts: Accounts,
    condition: WriteCondition,
) -> Response:
    written = accounts.patch(
        workspace=principal.workspace,
        account_id=account_id,
        patch=patch,
        condition=condition,
        actor=principal.actor,
    )
    return _answer(written, accounts, principal.workspace, account_id)


@router.get(
    "/{account_id}",
    response_model=AccountOut,
    summary="Read an account",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_account(
    account_id: AccountId,
    principal: ReadKey,
    accounts: Accounts,
    if_none_match: IfNoneMatchRead = None,
) -> Response:
    account, tag, authors = accounts.get_authored(
        workspace=principal.workspace, account_id=account_id
    )
    return render_read(AccountOut.authored(account, authors), tag, if_none_match)


@router.delete(
    "/{account_id}",
    status_code=204,
    response_class=Response,
    summary="Delete an account",
    responses=error_responses(409),  # deals or people still belong to it
)
def delete_account(
    account_id: AccountId, principal: WriteKey, accounts: Accounts, condition: WriteCondition
) -> Response:
    accounts.delete(workspace=principal.workspace, account_id=account_id, condition=condition)
    return Response(status_code=204)
