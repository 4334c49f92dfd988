"""The pure parts of webhooks: signatures (and the README's verifying snippet), which
URLs are refused, which changes make which events, and the retry waits."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from graphsvc.webhooks.events import EventedState, changes, event_id, support_bucket
from graphsvc.webhooks.schemas import EventType
from graphsvc.webhooks.signing import signature_header, verify_signature
from graphsvc.webhooks.targets import TargetRefused, resolve_target
from graphsvc.webhooks.worker import retry_wait_ms

README = Path(__file__).resolve().parents[2] / "README.md"

FAKE_DNS = {
    "hooks.example.com": ["93.184.216.34"],
    "split.example.com": ["93.184.216.34", "10.0.0.7"],
    "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
    "metadata.example.com": ["169.254.169.254"],
}


def fake_resolve(host: str, port: int) -> list[str]:
    if host not in FAKE_DNS:
        raise TargetRefused(f"{host} cannot be resolved")
    return FAKE_DNS[host]


def test_a_signature_verifies_and_a_changed_body_or_an_old_one_does_not() -> None:
    body = b'{"id":"evt_1","type":"deal.risk_raised"}'
    header = signature_header(secret="whsec_abc", body=body, timestamp=1_800_000_000)
    assert verify_signature(secret="whsec_abc", body=body, header=header, now=1_800_000_100)
    assert not verify_signature(secret="whsec_abd", body=body, header=header, now=1_800_000_100)
    assert not verify_signature(
        secret="whsec_abc", body=body + b" ", header=header, now=1_800_000_100
    )
    assert not verify_signature(secret="whsec_abc", body=body, header=header, now=1_800_000_301)
    assert not verify_signature(secret="whsec_abc", body=body, header="t=x,v1=y", now=0)


def test_the_readme_snippet_verifies_our_signature() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Webhooks") :]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None
    namespace: dict[str, object] = {}
    exec(snippet.group(1), namespace)
    verify = namespace["verify"]
    body = b'{"id":"evt_2"}'
    now = int(time.time())
    header = signature_header(secret="whsec_doc", body=body, timestamp=now)
    assert verify(body, header, "whsec_doc") is True  # type: ignore[operator]
    assert verify(body + b"x", header, "whsec_doc") is False  # type: ignore[operator]
    old = signature_header(secret="whsec_doc", body=body, timestamp=now - 3600)
    assert verify(body, old, "whsec_doc") is False  # type: ignore[operator]
    # During a rotation's overlap the header signs with both secrets: either verifies.
    both = signature_header(secret="whsec_new", body=body, timestamp=now, old_secret="whsec_doc")
    assert verify(body, both, "whsec_doc") is True  # type: ignore[operator]
    assert verify(body, both, "whsec_new") is True  # type: ignore[operator]
    assert verify(body, both, "whsec_other") is False  # type: ignore[operator]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://split.example.com/in", "10.0.0.7, a private address"),
        ("http://metadata.example.com/", "link-local"),
        ("https://nowhere.example.com/", "cannot be resolved"),
        ("gopher://hooks.example.com/", "http or https"),
        ("http:///in", "needs a host"),
    ],
)
def test_every_resolved_address_is_checked(url: str, why: str) -> None:
    with pytest.raises(TargetRefused, match=why):
        resolve_target(url, allow_private=False, resolve=fake_resolve)


def test_public_targets_pass_and_private_ones_only_when_allowed() -> None:
    target = resolve_target(
        "https://hooks.example.com:8443/in?x=1", allow_private=False, resolve=fake_resolve
    )
    assert (target.host, target.port, target.address, target.path) == (
        "hooks.example.com",
        8443,
        "93.184.216.34",
        "/in?x=1",
    )
    assert resolve_target("http://v6.example.com", allow_private=False, resolve=fake_resolve)
    allowed = resolve_target("http://127.0.0.1:9/x", allow_private=True, resolve=fake_resolve)
    assert allowed.address == "127.0.0.1"
    with pytest.raises(TargetRefused):
        resolve_target("ftp://127.0.0.1/", allow_private=True, resolve=fake_resolve)


def test_changes_between_evented_states() -> None:
    before = EventedState(flags=("NO_ALLY", "STALE"), bucket=4, dm="ann", gen=2)
    after = EventedState(flags=("DM_NEVER_CONTACTED", "STALE"), bucket=3, dm="bob")
    assert [(c.event_type, c.detail) for c in changes(before, after)] == [
        (EventType.deal_risk_raised, "DM_NEVER_CONTACTED"),
        (EventType.deal_risk_cleared, "NO_ALLY"),
        (EventType.deal_support_changed, "4>3"),
        (EventType.deal_decision_maker_changed, "ann>bob"),
    ]
    # Within one bucket the share moves without an event.
    assert changes(after, EventedState(after.flags, 3, "bob")) == []
    # A deal never evented: its flags and decision-maker, no support crossing.
    new = changes(EventedState((), None, None), after)
    assert [c.event_type for c in new] == [
        EventType.deal_risk_raised,
        EventType.deal_risk_raised,
        EventType.deal_decision_maker_changed,
    ]


def test_event_ids_are_derived_so_a_repeat_is_the_same_event() -> None:
    change = changes(EventedState((), 1, None, 5), EventedState(("STALE",), 1, None))[0]
    assert event_id("ws", "d1", 5, change) == event_id("ws", "d1", 5, change)
    assert event_id("ws", "d1", 5, change) != event_id("ws", "d1", 6, change)
    assert event_id("ws", "d1", 5, change) != event_id("ws", "d2", 5, change)
    assert support_bucket(0.1 * 3, 0.1) == 3  # 0.30000000000000004 and the like


def test_retry_waits_double_with_jitter_up_to_the_cap() -> None:
    def waits(seed: int) -> list[float]:
        rng = random.Random(seed)
        return [
            retry_wait_ms(attempt, base_seconds=30, max_seconds=3600, rng=rng) / 1000
            for attempt in range(1, 11)
        ]

    for attempt, wait in enumerate(waits(42), start=1):
        full = min(30.0 * 2 ** (attempt - 1), 3600.0)
        assert full / 2 <= wait < full
    assert waits(42) == waits(42) != waits(43)  # seeded: the same waits again
