"""CSV and JSON import over HTTP and through the CLI: Salesforce headers, every bad row
reported by number, all or nothing, re-import changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from graphsvc.imports.salesforce import parse_contact_roles_csv
from graphsvc.store.repository import GraphStore
from tests.api.conftest import Api
from tests.helpers import store_env

GRAPHSVC = str(Path(sys.executable).with_name("graphsvc"))

# Salesforce's column names with the case and spacing of a hand-edited export.
HEADER = (
    " opportunity id,OPPORTUNITY NAME,Account ID,Account  Name,Opportunity Owner Email,"
    "Contact ID,First Name,Last Name,Title,Email,Role,Primary,Stance,Ally,"
    "Influence Rating,Reports To (Contact ID)\n"
)
GOOD_ROWS = [
    "006A,Acme renewal,001A,Acme,Owner@us.example,003A,Ada,Li,CFO,ada@acme.example,"
    "Economic Decision Maker,true,neutral,no,5,\n",
    "006A,Acme renewal,001A,Acme,Owner@us.example,003B,Bo,Ng,IT lead,bo@acme.example,"
    "Technical Buyer,false,supporter,yes,3,003A\n",
    "006B,Acme expansion,001A,Acme,owner@us.example,003A,Ada,Li,CFO,ada@acme.example,"
    "decision maker,false,skeptic,,4,\n",
    '006B,Acme expansion,001A,Acme,owner@us.example,003C,Cy,Ho,"Buyer, ""senior""",'
    ",Other,false,,,,\n",
]


def csv_text(rows: list[str]) -> str:
    return HEADER + "".join(rows)


def post_csv(client, text: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/import", content=text.encode(), headers={"content-type": "text/csv"})


def test_parser_reads_salesforce_columns() -> None:
    bundle = parse_contact_roles_csv(csv_text(GOOD_ROWS)).bundle
    assert [a.id for a in bundle.accounts] == ["001A"]
    assert [(d.id, d.owner_email) for d in bundle.deals] == [
        ("006A", "owner@us.example"),
        ("006B", "owner@us.example"),
    ]
    assert {s.id: s.name for s in bundle.stakeholders} == {
        "003A": "Ada Li",
        "003B": "Bo Ng",
        "003C": "Cy Ho",
    }
    assert bundle.stakeholders[2].title == 'Buyer, "senior"'
    roles = {
        (m.deal_id, m.stakeholder_id): (m.role.value, m.stance.value, m.ally, m.influence_rating)
        for m in bundle.memberships
    }
    assert roles == {
        ("006A", "003A"): ("Economic Decision Maker", "neutral", False, 5),
        ("006A", "003B"): ("Technical Buyer", "supporter", True, 3),
        ("006B", "003A"): ("Decision Maker", "skeptic", False, 4),
        ("006B", "003C"): ("Other", "unknown", False, None),
    }
    assert [(r.stakeholder_id, r.manager_id) for r in bundle.reporting_lines] == [("003B", "003A")]


def test_csv_import_then_reimport_changes_nothing(api: Api, workspace: str) -> None:
    with api.client(api.key(workspace)) as client:
        first = post_csv(client, csv_text(GOOD_ROWS))
        assert first.status_code == 200, first.text
        counts = first.json()
        assert counts["by_kind"]["accounts"]["created"] == 1
        assert counts["by_kind"]["deals"]["created"] == 2
        assert counts["by_kind"]["stakeholders"]["created"] == 3
        assert counts["by_kind"]["memberships"]["created"] == 4
        assert counts["by_kind"]["reporting_lines"]["created"] == 1
        assert counts["updated"] == 0
        committee = client.get("/v1/deals/006A/committee").json()["items"]
        assert [(m["stakeholder_id"], m["role"], m["ally"]) for m in committee] == [
            ("003A", "Economic Decision Maker", False),
            ("003B", "Technical Buyer", True),
        ]

        def stored() -> list[object]:
            return [
                client.get(p).json()
                for p in (
                    "/v1/deals/006A",
                    "/v1/deals/006B",
                    "/v1/stakeholders/003C",
                    "/v1/deals/006A/committee?as_of=2100-01-01T00:00:00Z",
                    "/v1/deals/006B/committee?as_of=2100-01-01T00:00:00Z",
                )
            ]

        snapshot = stored()

        again = post_csv(client, csv_text(GOOD_ROWS))
        assert again.status_code == 200, again.text
        assert again.json()["created"] == 0 and again.json()["updated"] == 0
        assert again.json()["unchanged"] == counts["created"]
        assert stored() == snapshot

        # The same file as a multipart upload, as a browser form would send it.
        upload = client.post(
            "/v1/import", files={"file": ("roles.csv", csv_text(GOOD_ROWS).encode(), "text/csv")}
        )
        assert upload.status_code == 200, upload.text
        assert upload.json()["created"] == 0 and upload.json()["updated"] == 0


def test_bad_rows_are_all_listed_by_number_and_nothing_is_written(api: Api, workspace: str) -> None:
    rows = [
        GOOD_ROWS[0],  # row 2: fine
        GOOD_ROWS[1].replace("Technical Buyer", "Chief Wizard"),  # row 3: role
        GOOD_ROWS[2],  # row 4: fine
        GOOD_ROWS[3]
        .replace(",Other,", ",Other,")
        .replace(
            "006B,Acme expansion,001A,Acme,owner@us.example",
            "006B,Acme expansion,001A,Acme,not-an-email",
        ),  # row 5: e-mail
        "006C,Third,001A,Acme,o@us.example,003D,Di,Wu,,,Evaluator,false,fan,maybe,9,003Z\n",
    ]  # row 6: 4 faults
    before = api.store.workspace_revision(workspace=workspace)
    with api.client(api.key(workspace)) as client:
        r = post_csv(client, csv_text(rows))
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["error"] == "validation_error"
        by_row: dict[int, set[str]] = {}
        for item in body["detail"]:
            by_row.setdefault(item["row"], set()).add(item["loc"][-1])
            assert item["loc"][:2] == ["row", item["row"]]
        assert by_row == {
            3: {"Role"},
            5: {"Opportunity Owner Email"},
            6: {"Stance", "Ally", "Influence Rating"},
        }
        assert client.get("/v1/deals/006A").status_code == 404
        # With the other faults fixed, the unknown manager is reported by its row too.
        fixed = [
            *rows[:1],
            GOOD_ROWS[1],
            rows[2],
            GOOD_ROWS[3],
            "006C,Third,001A,Acme,o@us.example,003D,Di,Wu,,,Evaluator,false,,,,003Z\n",
        ]
        r = post_csv(client, csv_text(fixed))
        assert r.status_code == 422
        assert [(i["row"], i["loc"][-1]) for i in r.json()["detail"]] == [
            (6, "Reports To (Contact ID)")
        ]
        missing = post_csv(client, "Opportunity ID,Contact ID\n1,2\n")
        assert missing.status_code == 422
        assert {i["loc"][-1] for i in missing.json()["detail"]} >= {"Role", "Account ID"}
    assert api.store.workspace_revision(workspace=workspace) == before


def test_json_bundle_errors_name_kind_index_and_field(api: Api, workspace: str) -> None:
    bundle = {
        "accounts": [{"id": "a", "name": "A"}],
        "deals": [{"id": "d", "account_id": "a", "name": "D", "owner_email": "o@us.example"}],
        "stakeholders": [
            {"id": "s1", "account_id": "a", "name": "S1"},
            {"id": "s2", "account_id": "a", "name": "S2"},
        ],
        "memberships": [
            {"deal_id": "d", "stakeholder_id": "s1", "role": "Champion"},
            {"deal_id": "d", "stakeholder_id": "s2", "role": "Boss"},
        ],
        "influences": [{"source_id": "s1", "target_id": "s9", "strength": 0.5}],
    }
    with api.client(api.key(workspace)) as client:
        r = client.post("/v1/import", json=bundle)
        assert r.status_code == 422
        assert [e["loc"] for e in r.json()["detail"]] == [["memberships", 1, "role"]]
        bundle["memberships"][1]["role"] = "Evaluator"  # type: ignore[index]
        r = client.post("/v1/import", json=bundle)
        assert r.status_code == 422
        assert [e["loc"] for e in r.json()["detail"]] == [["influences", 0, "target_id"]]
        assert client.get("/v1/accounts/a").status_code == 404
        for content_type in ("multipart/form-data", "multipart/form-data; boundary=x"):
            broken = client.post(
                "/v1/import", content=b"--x\r\nbroken", headers={"content-type": content_type}
            )
            assert broken.status_code == 422, broken.text
        odd = client.post(
            "/v1/import", content=b"<xml/>", headers={"content-type": "application/xml"}
        )
        assert odd.status_code == 422
        assert odd.json()["detail"][0]["loc"] == ["header", "content-type"]
        bundle["influences"][0]["target_id"] = "s2"  # type: ignore[index]
        r = client.post("/v1/import", json=bundle)
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 7


def test_cli_import_prints_summary_and_lists_bad_rows(
    store: GraphStore, workspace: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(store_env(store.settings), GRAPHSVC_ENVIRONMENT="test", COLUMNS="200")
    good = tmp_path / "roles.csv"
    good.write_text(csv_text(GOOD_ROWS), encoding="utf-8")
    command = [GRAPHSVC, "import", str(good), "--workspace", workspace]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == "created 11, updated 0, unchanged 0, errors 0"
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == "created 0, updated 0, unchanged 11, errors 0"

    bad = tmp_path / "bad.csv"
    bad.write_text(
        csv_text([GOOD_ROWS[0], GOOD_ROWS[1].replace("Technical Buyer", "Wizard")]),
        encoding="utf-8",
    )
    failed = subprocess.run(
        [*command[:2], str(bad), "--workspace", workspace],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "row 3: Role" in failed.stderr
    assert "error:" in failed.stderr

    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"accounts": [{"id": "j1", "name": "From JSON"}]}))
    from_json = subprocess.run(
        [*command[:2], str(bundle), "--workspace", workspace],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert from_json.returncode == 0, from_json.stderr
    assert from_json.stdout.strip().splitlines()[-1].startswith("created 1,")
