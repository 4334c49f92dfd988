"""Property-based: arbitrary valid entities round-trip through the store unchanged.

Text is drawn from all of unicode except NUL and lone surrogates (quotes, backslashes,
backticks, newlines, ``$param``-looking and Cypher-looking strings included); instants
have millisecond precision, which is what the store keeps.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.domain.models import (
    Account,
    Channel,
    Deal,
    DealStatus,
    Influence,
    Interaction,
    Membership,
    Role,
    Stakeholder,
    Stance,
    Tier,
    to_ms,
)
from graphsvc.store.repository import GraphStore

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = [
    "'}) DETACH DELETE n //",
    "$param",
    "`",
    "\\",
    '"',
    "\\'",
    "${x}",
    "\n",
    "\u2028",
    "MATCH (n) DETACH DELETE n",
    "{ws: 'other'}",
    "ü",
    "日本語",
    "🙂",
    "\t",
]
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
text = st.one_of(
    st.text(chars, max_size=60),
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join),
)
name = text.filter(lambda s: len(s) >= 1)
ident = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn")),
        min_size=1,
        max_size=40,
    )
    # "." and ".." are no ids: a URL path could never address them (models._printable_id).
    .filter(lambda s: s.isprintable() and s not in (".", "..")),
    st.lists(st.sampled_from([h for h in HOSTILE if h.isprintable()]), min_size=1, max_size=3).map(
        "".join
    ),
)
emails = st.builds(
    lambda local, domain: f"{local}@{domain}.example".lower(),
    st.from_regex(r"[a-z0-9._+'-]{1,20}", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True),
)
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
money = st.one_of(
    st.none(), st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
)

accounts = st.builds(Account, id=ident, name=name, tier=st.sampled_from(Tier))
stakeholders = st.builds(
    Stakeholder,
    id=ident,
    account_id=st.just("acc"),
    name=name,
    title=st.one_of(st.none(), text),
    email=st.one_of(st.none(), emails),
)
deals = st.builds(
    Deal,
    id=ident,
    account_id=st.just("acc"),
    name=name,
    owner_email=emails,
    amount=money,
    currency=st.one_of(st.none(), st.from_regex(r"[A-Z]{3}", fullmatch=True)),
    stage=st.one_of(st.none(), text),
    status=st.sampled_from(DealStatus),
    close_date=st.one_of(st.none(), st.dates()),
)
memberships = st.builds(
    Membership,
    deal_id=st.just("deal"),
    stakeholder_id=st.just("p1"),
    role=st.sampled_from(Role),
    stance=st.sampled_from(Stance),
    ally=st.booleans(),
    influence_rating=st.one_of(st.none(), st.integers(1, 5)),
    self_weight=st.one_of(st.none(), st.floats(0, 1, allow_nan=False)),
    at=instants,
)
influences = st.builds(
    Influence,
    source_id=st.just("p1"),
    target_id=st.just("p2"),
    strength=st.floats(min_value=0, max_value=1, exclude_min=True, allow_nan=False),
    at=instants,
)


def fresh_workspace() -> str:
    # one per example: hypothesis reuses the function-scoped fixtures across examples
    return f"ws-prop-{uuid.uuid4().hex[:12]}"


def base(store: GraphStore, ws: str) -> None:
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc", name="Acme")])
    store.upsert_deals(
        workspace=ws,
        deals=[Deal(id="deal", account_id="acc", name="Deal", owner_email="owner@v.example")],
    )
    store.upsert_stakeholders(
        workspace=ws,
        stakeholders=[Stakeholder(id=p, account_id="acc", name=p) for p in ("p1", "p2")],
    )


@EXAMPLES
@given(account=accounts)
def test_account_round_trips(store: GraphStore, account: Account) -> None:
    ws = fresh_workspace()
    store.upsert_accounts(workspace=ws, accounts=[account])
    assert store.get_account(workspace=ws, account_id=account.id) == account


@EXAMPLES
@given(deal=deals)
def test_deal_round_trips(store: GraphStore, deal: Deal) -> None:
    ws = fresh_workspace()
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc", name="Acme")])
    store.upsert_deals(workspace=ws, deals=[deal])
    assert store.get_deal(workspace=ws, deal_id=deal.id) == deal


@EXAMPLES
@given(person=stakeholders)
def test_stakeholder_round_trips(store: GraphStore, person: Stakeholder) -> None:
    ws = fresh_workspace()
    store.upsert_accounts(workspace=ws, accounts=[Account(id="acc", name="Acme")])
    store.upsert_stakeholders(workspace=ws, stakeholders=[person])
    assert store.get_stakeholder(workspace=ws, stakeholder_id=person.id) == person


@EXAMPLES
@given(membership=memberships)
def test_membership_round_trips(store: GraphStore, membership: Membership) -> None:
    ws = fresh_workspace()
    base(store, ws)
    store.record_memberships(workspace=ws, memberships=[membership])
    assert membership.at is not None
    at = to_ms(membership.at)
    history = store.deal_history(workspace=ws, deal_id="deal", as_of=membership.at)
    [fact] = history.membership_facts
    assert (fact.stakeholder_id, fact.at, fact.active) == ("p1", at, True)
    assert (fact.role, fact.stance, fact.ally, fact.influence_rating, fact.self_weight) == (
        membership.role,
        membership.stance,
        membership.ally,
        membership.influence_rating,
        membership.self_weight,
    )
    member = history.snapshot(at).member("p1")
    assert member is not None and member.stance == membership.stance


@EXAMPLES
@given(influence=influences)
def test_influence_round_trips(store: GraphStore, influence: Influence) -> None:
    ws = fresh_workspace()
    base(store, ws)
    assert influence.at is not None
    joined = influence.at - timedelta(days=1)
    store.record_memberships(
        workspace=ws,
        memberships=[
            Membership(deal_id="deal", stakeholder_id=p, role=Role.influencer, at=joined)
            for p in ("p1", "p2")
        ],
    )
    store.record_influences(workspace=ws, influences=[influence])
    history = store.deal_history(workspace=ws, deal_id="deal", as_of=influence.at)
    [fact] = history.influence_facts
    assert (fact.source_id, fact.target_id, fact.at, fact.active, fact.strength) == (
        "p1",
        "p2",
        to_ms(influence.at),
        True,
        influence.strength,
    )
    [line] = history.snapshot().influences
    assert (line.source_id, line.target_id, line.strength) == ("p1", "p2", influence.strength)


@EXAMPLES
@given(
    id=ident,
    at=instants,
    channel=st.sampled_from(Channel),
    summary=st.one_of(st.none(), text),
    next_step=st.one_of(st.none(), instants),
    team=st.lists(emails, max_size=3),
    present=st.lists(st.sampled_from(["p1", "p2"]), max_size=2),
)
def test_interaction_round_trips(
    store: GraphStore,
    id: str,
    at: datetime,
    channel: Channel,
    summary: str | None,
    next_step: datetime | None,
    team: list[str],
    present: list[str],
) -> None:
    ws = fresh_workspace()
    base(store, ws)
    interaction = Interaction(
        id=id,
        deal_id="deal",
        at=at,
        channel=channel,
        stakeholder_ids=present,
        team_member_emails=team,
        summary=summary,
        next_step_at=next_step,
    )
    store.record_interactions(workspace=ws, interactions=[interaction])
    [record] = store.list_interactions(workspace=ws, deal_id="deal")
    assert record.id == interaction.id
    assert record.at == to_ms(interaction.at)
    assert record.channel == interaction.channel.value
    assert sorted(record.stakeholder_ids) == sorted(interaction.stakeholder_ids)
    assert sorted(record.team_member_emails) == sorted(interaction.team_member_emails)
    assert record.summary == interaction.summary
    assert record.next_step_at == (to_ms(next_step) if next_step is not None else None)


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filler=st.sampled_from(["x", "'", "\\", "ü", "🙂"]))
def test_ten_thousand_character_names_round_trip(store: GraphStore, filler: str) -> None:
    ws = fresh_workspace()
    account = Account(id="acc", name=("'}) DETACH DELETE n // " + filler * 10_000)[:10_000])
    store.upsert_accounts(workspace=ws, accounts=[account])
    assert store.get_account(workspace=ws, account_id="acc") == account
