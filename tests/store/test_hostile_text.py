"""Hostile text round-trips byte for byte, and never becomes query text.

Every string below goes into every free-text field (names, titles, stage, summary) and,
where the rules allow (printable characters), into ids and the workspace name. After
the writes a sentinel workspace must be exactly as it was: no injected clause ran.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from graphsvc.domain.models import (
    Account,
    Channel,
    Deal,
    Influence,
    Interaction,
    Membership,
    Role,
    Stakeholder,
    TeamMember,
)
from graphsvc.store.deals import DealFilter
from graphsvc.store.repository import GraphStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

HOSTILE = [
    "O'Brien",
    'say "hello"',
    "back\\slash \\\\ \\' \\\" \\n \\u0041",
    "`backtick` ``double``",
    "'}) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "x` DETACH DELETE n //",
    "$param {param} $ws $rows",
    "CYPHER ws='other' MATCH (n) RETURN n",
    "line\nbreak\r\nand\ttab\x0b\x0c\x1f\x7f",
    "emoji 😀👩‍👩‍👧 flags 🇩🇪 and ZWJ \u200d",
    "RTL \u202eevil\u202c عربى עברית",
    "combining e\u0301 \u0308\u0308 CJK 中文 日本語 한국어",
    "line sep \u2028 para sep \u2029 BOM \ufeff nbsp \u00a0",
    "max plane \U0010fffd private \ue000",
    " leading and trailing spaces ",
    "N" * 10_000,
]


def random_texts(count: int, *, seed: int = 20260302) -> list[str]:
    """Arbitrary NUL-free unicode (no surrogates), seeded."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 200)):
            plane = rng.random()
            if plane < 0.3:
                cp = rng.randint(1, 0x7F)
            elif plane < 0.8:
                cp = rng.randint(0x80, 0xFFFF)
            else:
                cp = rng.randint(0x10000, 0x10FFFF)
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0xFFFD
            chars.append(chr(cp))
        texts.append("".join(chars))
    return texts


def printable_id(text: str, suffix: str) -> str:
    """An id (1-128 printable characters) made from hostile text; the suffix goes first,
    so ids keep any leading and trailing spaces of the text."""
    kept = "".join(c for c in text if c.isprintable())[:120]
    return f"{suffix}{kept}"


def sentinel(store: GraphStore, ws: str) -> None:
    store.upsert_accounts(workspace=ws, accounts=[Account(id="s-acc", name="Sentinel")])
    store.upsert_deals(
        workspace=ws,
        deals=[Deal(id="s-deal", account_id="s-acc", name="S", owner_email="s@v.example")],
    )
    store.upsert_stakeholders(
        workspace=ws,
        stakeholders=[Stakeholder(id="s-p", account_id="s-acc", name="Sentinel person")],
    )
    store.record_memberships(
        workspace=ws,
        memberships=[Membership(deal_id="s-deal", stakeholder_id="s-p", role=Role.champion, at=T0)],
    )


@pytest.mark.parametrize(
    "text", HOSTILE + random_texts(6), ids=lambda t: f"len{len(t)}-{sum(map(ord, t)) % 9973}"
)
def test_hostile_text_round_trips(store: GraphStore, workspace: str, text: str) -> None:
    guard = workspace + "-sentinel"
    sentinel(store, guard)
    guarded = store.snapshot(workspace=guard, deal_id="s-deal", as_of=T0)
    guard_revision = store.workspace_revision(workspace=guard)

    ws = printable_id(text, "")[:100].strip() + workspace[-8:]
    acc_id, deal_id = printable_id(text, "#a"), printable_id(text, "#d")
    p0, p1 = printable_id(text, "#p0"), printable_id(text, "#p1")
    email = "x'\"`$o\\@v.example"

    account = Account(id=acc_id, name=text)
    deal = Deal(id=deal_id, account_id=acc_id, name=text, owner_email=email, stage=text)
    people = [Stakeholder(id=p, account_id=acc_id, name=text, title=text) for p in (p0, p1)]
    store.upsert_accounts(workspace=ws, accounts=[account])
    store.upsert_deals(workspace=ws, deals=[deal])
    store.upsert_stakeholders(workspace=ws, stakeholders=people)
    store.upsert_team_members(workspace=ws, team_members=[TeamMember(email=email, name=text)])
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id=deal_id, stakeholder_id=p, role=Role.influencer, at=T0)
            for p in (p0, p1)
        ],
    )
    store.record_influences(
        workspace=ws, influences=[Influence(source_id=p0, target_id=p1, strength=0.5, at=T0)]
    )
    store.record_interactions(
        workspace=ws,
        interactions=[
            Interaction(
                id=printable_id(text, "#i"),
                deal_id=deal_id,
                at=T0,
                channel=Channel.other,
                stakeholder_ids=[p0, p1],
                team_member_emails=[email],
                summary=text,
            )
        ],
    )

    assert store.get_account(workspace=ws, account_id=acc_id) == account
    assert store.get_deal(workspace=ws, deal_id=deal_id) == deal
    assert store.get_stakeholder(workspace=ws, stakeholder_id=p1) == people[1]
    assert store.list_deals(workspace=ws, matching=DealFilter(owner=email)).items == [deal]
    assert store.list_stakeholder_deals(workspace=ws, stakeholder_id=p0) == [deal]
    snap = store.snapshot(workspace=ws, deal_id=deal_id)
    assert snap.deal == deal
    assert {m.id: (m.stakeholder.name, m.stakeholder.title) for m in snap.members} == {
        p0: (text, text),
        p1: (text, text),
    }
    assert [(x.source_id, x.target_id) for x in snap.influences] == [(p0, p1)]
    (interaction,) = snap.interactions
    assert interaction.summary == text
    assert interaction.stakeholder_ids == (p0, p1)
    assert interaction.team_member_emails == (email,)
    # Same values again: recognised as unchanged, byte for byte.
    assert store.upsert_deals(workspace=ws, deals=[deal]).unchanged == 1
    # Nothing leaked into, or ran against, another workspace.
    assert store.snapshot(workspace=guard, deal_id="s-deal", as_of=T0) == guarded
    assert store.workspace_revision(workspace=guard) == guard_revision
    store.delete_deal(workspace=ws, deal_id=deal_id)
    store.delete_stakeholder(workspace=ws, stakeholder_id=p0)
    assert store.snapshot(workspace=guard, deal_id="s-deal", as_of=T0) == guarded


def test_ids_differing_only_in_surrounding_spaces_stay_apart(
    store: GraphStore, workspace: str
) -> None:
    ids = ["x", "x ", " x", " x ", "x  ", "X"]
    store.upsert_accounts(
        workspace=workspace, accounts=[Account(id=i, name=f"name of {i!r}") for i in ids]
    )
    for i in ids:
        assert store.get_account(workspace=workspace, account_id=i).name == f"name of {i!r}"
    again = store.upsert_accounts(
        workspace=workspace, accounts=[Account(id=i, name=f"name of {i!r}") for i in ids]
    )
    assert again.unchanged == len(ids)


def test_ten_thousand_character_names_everywhere(store: GraphStore, workspace: str) -> None:
    long_text = "".join(random_texts(200, seed=7))[:10_000]
    assert len(long_text) == 10_000
    store.upsert_accounts(workspace=workspace, accounts=[Account(id="a", name=long_text)])
    store.upsert_stakeholders(
        workspace=workspace,
        stakeholders=[
            Stakeholder(id=f"p{i}", account_id="a", name=long_text, title=long_text[::-1])
            for i in range(30)
        ],
    )
    store.upsert_deals(
        workspace=workspace,
        deals=[Deal(id="d", account_id="a", name=long_text, owner_email="o@v.example")],
    )
    store.record_memberships(
        workspace=workspace,
        memberships=[
            Membership(deal_id="d", stakeholder_id=f"p{i}", role=Role.other, at=T0)
            for i in range(30)
        ],
    )
    snap = store.snapshot(workspace=workspace, deal_id="d")
    assert snap.deal.name == long_text
    assert all(
        m.stakeholder.name == long_text and m.stakeholder.title == long_text[::-1]
        for m in snap.members
    )
    assert len(snap.members) == 30
