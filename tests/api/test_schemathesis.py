"""Property-based tests of the live API from its own /openapi.json (schemathesis).

Every operation gets positive cases on random ids, positive cases on ids that exist
(so analyses really run) and negative cases; reads go first, deletes last. Seeded
(derandomized) and bounded: over 1,000 requests in total. Checks: no 5xx, every status
code documented, every content type and body as documented.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api, seed_deal

pytestmark = pytest.mark.slow
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
RANDOM_IDS, EXISTING_IDS, NEGATIVE = 16, 16, 10
ORDER = {"GET": 0, "PUT": 1, "POST": 1, "PATCH": 1, "DELETE": 2}


def test_live_api_conforms_to_its_openapi(api: Api, workspace: str) -> None:
    key = api.key(workspace, "admin")
    with api.client(key) as client:
        ids = seed_deal(client)
    existing = {
        "account_id": ids["account"],
        "deal_id": ids["deal"],
        "stakeholder_id": ids["people"][1],
        "target_id": ids["people"][0],
        "manager_id": ids["people"][3],
    }
    auth = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (ORDER.get(op.method.upper(), 1), op.path),
    )
    assert len(operations) >= 30
    session = requests.Session()
    sent: list[tuple[str, int]] = []

    for operation in operations:
        names = set(re.findall(r"{(\w+)}", operation.path))
        fixed = {k: v for k, v in existing.items() if k in names}
        plans: list[tuple[GenerationMode, dict[str, Any] | None, int]] = [
            (GenerationMode.POSITIVE, None, RANDOM_IDS),
            (GenerationMode.NEGATIVE, None, NEGATIVE),
        ]
        if fixed:
            plans.insert(1, (GenerationMode.POSITIVE, fixed, EXISTING_IDS))
        for mode, path_parameters, examples in plans:
            strategy = operation.as_strategy(
                generation_mode=mode, headers=auth, path_parameters=path_parameters
            )

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=strategy)
            def run(case: schemathesis.Case) -> None:
                response = case.call(base_url=api.url, session=session, timeout=60)
                sent.append((f"{operation.method.upper()} {operation.path}", response.status_code))
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing negative to say about an operation without inputs.
                assert mode is GenerationMode.NEGATIVE

    print(f"schemathesis: {len(sent)} requests over {len(operations)} operations")
    covered = {op for op, _ in sent}
    assert len(sent) >= 1000, len(sent)
    assert covered == {f"{op.method.upper()} {op.path}" for op in operations}
    assert not [s for _, s in sent if s >= 500]
