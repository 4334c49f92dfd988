"""The pure composition functions, on hand-built alerts: order, NEW/CLEARED marking,
subject, MIME structure, the inline chart, escaping."""

from __future__ import annotations

import email
import struct
import zlib
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage

import pytest

from graphsvc.alerts import compose
from graphsvc.alerts.schemas import (
    AlertKind,
    DealAlert,
    ManagerDigest,
    OwnerAlert,
    ResolvedDeal,
)
from graphsvc.analysis.schemas import (
    DealAnalysis,
    Flag,
    FlagCode,
    NextBestContact,
    Severity,
    SupportPoint,
    SupportSummary,
    TopDecisionMaker,
    Trend,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> & Co\r\nBcc: victim@example.com'


def _flag(code: FlagCode, severity: Severity) -> Flag:
    return Flag(code=code, severity=severity, message=f"{code.value} message")


def _deal(
    deal_id: str,
    flags: list[Flag],
    *,
    amount: float | None = 1000.0,
    name: str | None = None,
    previous: list[str] | None = None,
    history: int = 12,
) -> DealAlert:
    notes, cleared = compose.flag_notes(flags, previous)
    points = [
        SupportPoint(
            at=NOW - timedelta(weeks=history - 1 - i),
            share=0.2 + 0.05 * i,
            opposition=0.3 - 0.01 * i,
            allies=1,
        )
        for i in range(history)
    ]
    return DealAlert(
        deal_id=deal_id,
        deal_name=name or f"Deal {deal_id}",
        amount=amount,
        worst=max((f.severity for f in flags), key=lambda s: s.weight),
        flags=notes,
        cleared=cleared,
        support=SupportSummary(
            share=0.45,
            opposition=0.2,
            neutral=0.35,
            allies=1,
            completeness=0.7,
            trend=Trend.shrinking,
            trend_delta=-0.1,
        ),
        history=points,
        top_decision_maker=TopDecisionMaker(
            stakeholder_id="dm", name="Dana Decider", confirmed=True, contacted=False
        ),
        next_best=NextBestContact(
            stakeholder_id="nb",
            name="Nick Best",
            rank=2,
            support_gain=0.12,
            dm_stance_gain=0.3,
            reason="sways the decision-maker",
            approach_via=["Ally Al"],
        ),
        map_url=f"https://graphsvc.example/maps/token-{deal_id}",
        map_expires_at=NOW + timedelta(days=14),
    )


def _alert(deals: list[DealAlert], **extra: object) -> OwnerAlert:
    return OwnerAlert(
        workspace="ws",
        owner="owner@example.com",
        week="2026-W48",
        as_of=NOW,
        deals=sorted(deals, key=compose.deal_order_key),
        **extra,
    )


def _parse(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _email(alert: OwnerAlert) -> EmailMessage:
    message_id = compose.message_id_for(
        workspace=alert.workspace,
        kind=AlertKind.owner,
        recipient=alert.owner,
        week=alert.week,
        mail_from="Alerts <alerts@example.com>",
    )
    return compose.owner_email(
        alert,
        mail_from="Alerts <alerts@example.com>",
        reply_to="sales-ops@example.com",
        message_id=message_id,
        date=NOW,
    )


def test_flags_new_and_cleared_against_last_week() -> None:
    flags = [
        _flag(FlagCode.NO_ALLY, Severity.medium),
        _flag(FlagCode.STALE, Severity.low),
        _flag(FlagCode.DM_NEVER_CONTACTED, Severity.high),
    ]
    notes, cleared = compose.flag_notes(flags, ["NO_ALLY", "SUPPORT_SHRINKING"])
    # Worst first; only the flags last week's e-mail did not carry are new.
    assert [(n.code, n.new) for n in notes] == [
        (FlagCode.DM_NEVER_CONTACTED, True),
        (FlagCode.NO_ALLY, False),
        (FlagCode.STALE, True),
    ]
    assert cleared == [FlagCode.SUPPORT_SHRINKING]
    # Not in last week's e-mail at all: everything new, nothing cleared.
    notes, cleared = compose.flag_notes(flags, None)
    assert all(n.new for n in notes) and cleared == []


def test_order_is_severity_then_amount_and_never_contacted_dm_leads() -> None:
    small_never = _deal("a", [_flag(FlagCode.DM_NEVER_CONTACTED, Severity.high)], amount=10)
    big_high = _deal("b", [_flag(FlagCode.INFLUENTIAL_BLOCKER, Severity.high)], amount=900)
    bigger_high = _deal("c", [_flag(FlagCode.SUPPORT_SHRINKING, Severity.high)], amount=950)
    huge_medium = _deal("d", [_flag(FlagCode.NO_ALLY, Severity.medium)], amount=10**7)
    no_amount = _deal("e", [_flag(FlagCode.NO_ALLY, Severity.medium)], amount=None)
    ordered = sorted(
        [no_amount, huge_medium, big_high, small_never, bigger_high], key=compose.deal_order_key
    )
    assert [d.deal_id for d in ordered] == ["a", "c", "b", "d", "e"]


def test_is_at_risk_takes_open_deals_with_a_flag_at_or_above_the_threshold() -> None:
    def analysis(status: str, severities: list[Severity]) -> DealAnalysis:
        return DealAnalysis(
            deal_id="d",
            deal_name="D",
            owner_email="o@example.com",
            status=status,
            as_of=NOW,
            ranking=[],
            top_decision_maker=None,
            support=SupportSummary(share=0, opposition=0, neutral=0, allies=0, completeness=0),
            flags=[_flag(FlagCode.STALE, s) for s in severities],
        )

    assert compose.is_at_risk(analysis("open", [Severity.medium]))
    assert not compose.is_at_risk(analysis("open", [Severity.low]))
    assert compose.is_at_risk(analysis("open", [Severity.low]), min_severity=Severity.low)
    assert not compose.is_at_risk(analysis("won", [Severity.high]))
    assert not compose.is_at_risk(analysis("open", []))


def test_subject_names_the_count_and_the_worst_deal() -> None:
    alert = _alert(
        [
            _deal("a", [_flag(FlagCode.NO_ALLY, Severity.medium)], amount=5),
            _deal("b", [_flag(FlagCode.DM_NEVER_CONTACTED, Severity.high)], name="Acme renewal"),
        ]
    )
    assert compose.owner_subject(alert) == (
        "2026-W48: 2 deals at risk, worst: Acme renewal (top decision-maker never contacted)"
    )


def test_message_structure_chart_and_headers() -> None:
    alert = _alert(
        [
            _deal("a", [_flag(FlagCode.DM_NEVER_CONTACTED, Severity.high)]),
            _deal(
                "b", [_flag(FlagCode.NO_ALLY, Severity.medium)], history=1
            ),  # too short: no chart
        ]
    )
    parsed = _parse(_email(alert))
    assert parsed.get_content_type() == "multipart/related"
    assert parsed.get_param("type") == "multipart/alternative"
    root, *images = parsed.iter_parts()
    assert root.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in root.iter_parts()] == ["text/plain", "text/html"]
    assert len(images) == 1
    png = images[0].get_content()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (compose.CHART_WIDTH_PX, compose.CHART_HEIGHT_PX)
    assert zlib.crc32(png[12:29]) == struct.unpack(">I", png[29:33])[0]  # IHDR intact
    cid = images[0]["Content-ID"].strip("<>")
    html = parsed.get_body(("html",)).get_content()
    assert f'src="cid:{cid}"' in html
    assert html.count("cid:") == 1
    assert parsed["To"] == "owner@example.com"
    assert parsed["Reply-To"] == "sales-ops@example.com"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"].startswith("<2026-w48.owner.")


def test_same_alert_gives_the_same_bytes() -> None:
    alert = _alert([_deal("a", [_flag(FlagCode.STALE, Severity.medium)])])
    assert _email(alert).as_bytes() == _email(alert).as_bytes()


def test_bodies_carry_every_part_of_a_deal() -> None:
    alert = _alert(
        [
            _deal(
                "a",
                [
                    _flag(FlagCode.DM_NEVER_CONTACTED, Severity.high),
                    _flag(FlagCode.NO_ALLY, Severity.medium),
                ],
                previous=["NO_ALLY", "STALE"],
            )
        ],
        resolved=[ResolvedDeal(deal_id="z", deal_name="Old deal", cleared=[FlagCode.NO_NEXT_STEP])],
        previous_week="2026-W47",
    )
    parsed = _parse(_email(alert))
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Deal a" in body
        assert "DM_NEVER_CONTACTED message" in body
        assert "Cleared since last week: no recent contact" in body
        assert "45%" in body and "shrinking" in body
        assert "Dana Decider" in body and "never contacted" in body
        assert "Nick Best" in body and "sways the decision-maker" in body
        assert "https://graphsvc.example/maps/token-a" in body
        assert "Old deal" in body and "no next step planned" in body
    assert "[NEW] high: DM_NEVER_CONTACTED message" in text
    assert "[NEW] medium" not in text  # NO_ALLY was in last week's e-mail


def test_hostile_names_are_escaped_in_html_and_kept_off_header_lines() -> None:
    deal = _deal("a", [_flag(FlagCode.DM_NEVER_CONTACTED, Severity.high)], name=HOSTILE)
    deal = deal.model_copy(
        update={
            "top_decision_maker": TopDecisionMaker(
                stakeholder_id="dm", name="<img src=x onerror=y>", confirmed=False, contacted=False
            )
        }
    )
    parsed = _parse(_email(_alert([deal])))
    html = parsed.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "&lt;img src=x onerror=y&gt;" in html
    assert parsed["Bcc"] is None
    assert "\n" not in parsed["Subject"] and "Bcc: victim@example.com" in parsed["Subject"]
    text = parsed.get_body(("plain",)).get_content()
    assert "\nBcc:" not in text  # a line break in a name does not fake a line


def test_digest() -> None:
    alerts = [
        OwnerAlert(
            workspace="ws",
            owner=f"o{i}@example.com",
            week="2026-W48",
            as_of=NOW,
            deals=[_deal(f"{i}", [_flag(FlagCode.NO_ALLY, sev)], amount=100 * i)],
        )
        for i, sev in ((1, Severity.medium), (2, Severity.high))
    ]
    digest = ManagerDigest(
        workspace="ws",
        manager="boss@example.com",
        week="2026-W48",
        as_of=NOW,
        owners=sorted((compose.summarize_owner(a) for a in alerts), key=compose.digest_order_key),
        quiet_owners=["calm@example.com"],
    )
    message = compose.digest_email(
        digest,
        mail_from="alerts@example.com",
        reply_to=None,
        message_id="<d@example.com>",
        date=NOW,
    )
    parsed = _parse(message)
    assert parsed["Subject"] == "2026-W48 team digest: 2 deals at risk across 2 owners"
    text = parsed.get_body(("plain",)).get_content()
    assert text.index("o2@example.com") < text.index("o1@example.com")  # high first
    assert "calm@example.com" in parsed.get_body(("html",)).get_content()


def test_a_recipient_must_be_exactly_one_plain_address() -> None:
    assert compose.recipient("o'brien@example.com") == "o'brien@example.com"
    for bad in ("a,b@example.com", "<a>@example.com", '"q"@example.com'):
        with pytest.raises(compose.InvalidRecipient):
            compose.recipient(bad)
    alert = _alert([_deal("a", [_flag(FlagCode.STALE, Severity.medium)])])
    with pytest.raises(compose.InvalidRecipient):
        _email(alert.model_copy(update={"owner": "x@evil.example,owner@example.com"}))
