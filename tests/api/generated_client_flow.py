"""A small CRM sync flow with the client ``openapi-python-client`` generated from the
API (run by tests/api/test_openapi_clients.py in the generator's own environment, with
the generated package ``client`` on PYTHONPATH): ``python generated_client_flow.py URL KEY``.
"""

from __future__ import annotations

import io
import sys

from client import AuthenticatedClient
from client.api.accounts import get_account, upsert_account
from client.api.changes import list_changes
from client.api.deals import batch_upsert_deals, list_deals
from client.api.import_ import import_records
from client.models import AccountIn, AccountOut, BatchOut, Deal, DealBatchIn, ExportImportResult
from client.types import File

REPORT_CSV = (
    "Opportunity ID,Opportunity Name,Account ID,Account Name,Opportunity Owner Email,"
    "Contact ID,First Name,Last Name,Title,Email,Role\n"
    "006A,Renewal,emea/acme,Acme,o@us.example,003A,Ada,Li,CFO,ada@acme.example,"
    "Economic Decision Maker\n"
)


def main(url: str, key: str) -> None:
    with AuthenticatedClient(base_url=url, token=key) as c:
        created = upsert_account.sync_detailed("emea/acme", client=c, body=AccountIn(name="Acme"))
        assert created.status_code == 201, created.content
        etag = created.headers["etag"]
        read = get_account.sync("emea/acme", client=c)
        assert isinstance(read, AccountOut) and read.name == "Acme", read
        stale = upsert_account.sync_detailed(
            "emea/acme", client=c, body=AccountIn(name="Acme AG"), if_match='"other"'
        )
        assert stale.status_code == 412, stale.content
        updated = upsert_account.sync_detailed(
            "emea/acme", client=c, body=AccountIn(name="Acme AG"), if_match=etag
        )
        assert updated.status_code == 200, updated.content
        batch = batch_upsert_deals.sync(
            client=c,
            body=DealBatchIn(
                items=[
                    Deal(
                        id="d1", account_id="emea/acme", name="Renewal", owner_email="o@us.example"
                    ),
                    Deal(id="d2", account_id="nowhere", name="Lost", owner_email="o@us.example"),
                ]
            ),
        )
        assert isinstance(batch, BatchOut), batch
        assert [i.status.value for i in batch.items] == ["created", "error"], batch
        page = list_deals.sync(client=c)
        assert [d.id for d in page.items] == ["d1"], page
        feed = list_changes.sync(client=c)
        assert [(e.entity, e.id) for e in feed.items] == [("account", "emea/acme"), ("deal", "d1")]
        assert list_changes.sync(client=c, since=feed.next_cursor).items == []
        # A CRM report CSV, sent as a file (the generator's binary body).
        report = File(payload=io.BytesIO(REPORT_CSV.encode()), mime_type="text/csv")
        imported = import_records.sync_detailed(client=c, body=report)
        assert imported.status_code == 200, imported.content
        assert isinstance(imported.parsed, ExportImportResult), imported.parsed
        assert [d.id for d in list_deals.sync(client=c).items] == ["006A", "d1"]
    print("flow ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
