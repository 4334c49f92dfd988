"""End to end on the real store, the real analysis and a real SMTP server (aiosmtpd):
what arrives, exactly once, part-way failures, rejections, NEW/CLEARED, dry run, digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote

import pytest
from pydantic import SecretStr

from graphsvc.alerts.schemas import AlertKind, DeliveryStatus, RunReport
from graphsvc.alerts.service import AlertService
from graphsvc.config import Settings
from graphsvc.errors import ConfigurationError
from graphsvc.maps.links import verify_map_token
from graphsvc.store.repository import GraphStore
from tests.alerts import scenario
from tests.alerts.conftest import Received, SmtpServer

OWNERS = 10
OPTED_OUT = 10  # owner10 has deals at risk but opted out


@pytest.fixture
def alert_settings(settings: Settings, smtp_server: SmtpServer, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "mail_from": "Risk Alerts <alerts@example.com>",
            "mail_reply_to": "sales-ops@example.com",
            "map_link_secret": SecretStr("alerts-test-secret-0123456789"),
            "public_base_url": "https://graphsvc.example",
            "alerts_opt_out": [scenario.owner(OPTED_OUT).upper()],  # matched case-insensitively
            "alerts_send_attempts": 2,
            "alerts_retry_wait_seconds": 0.0,
            "alerts_max_consecutive_failures": 3,
        }
    )


@pytest.fixture
def portfolio(store: GraphStore, workspace: str) -> str:
    store.import_bundle(workspace=workspace, bundle=scenario.portfolio(OWNERS, opted_out=OPTED_OUT))
    return workspace


def _run(store: GraphStore, settings: Settings, workspace: str, **kwargs: object) -> RunReport:
    service = AlertService(store=store, settings=settings)
    return service.send(workspace=workspace, week=kwargs.pop("week", scenario.WEEK), **kwargs)  # type: ignore[arg-type]


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _deal_ids_in_order(html: str) -> list[str]:
    ids = []
    for chunk in html.split('data-deal-id="')[1:]:
        ids.append(chunk.split('"', 1)[0])
    return ids


def test_one_email_per_owner_with_everything_in_it(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    report = _run(store, alert_settings, portfolio)
    assert report.exit_code == 0, report.deliveries
    assert report.count(DeliveryStatus.sent) == OWNERS
    received = smtp_server.handler.by_recipient()
    assert sorted(received) == [scenario.owner(i) for i in range(OWNERS)]
    assert scenario.owner(OPTED_OUT) not in received  # opted out: nothing
    assert all(len(r.rcpt_tos) == 1 for r in smtp_server.received)

    for address, got in received.items():
        message = got.message
        assert message["To"] == address
        assert message["From"] == "Risk Alerts <alerts@example.com>"
        assert message["Reply-To"] == "sales-ops@example.com"
        assert message["Message-ID"].startswith("<2026-w40.owner.")
        assert message.get_content_type() == "multipart/related"
        alternative = next(message.iter_parts())
        assert [p.get_content_type() for p in alternative.iter_parts()] == [
            "text/plain",
            "text/html",
        ]
        html = _html(message)
        assert ">NEW<" not in html  # the owner's first e-mail: nothing to compare with
        images = [p for p in message.iter_parts() if p.get_content_type() == "image/png"]
        assert images, "every deal has a support chart"
        for image in images:
            assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
            assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
        # Every map link verifies and opens exactly its deal in this workspace.
        links = [chunk.split('"', 1)[0] for chunk in html.split('href="')[1:]]
        assert links and len(links) == len(_deal_ids_in_order(html))
        for link, deal_id in zip(links, _deal_ids_in_order(html), strict=True):
            token = unquote(link.removeprefix("https://graphsvc.example/maps/"))
            grant = verify_map_token(settings=alert_settings, token=token)
            assert (grant.workspace, grant.deal_id) == (portfolio, deal_id)
        assert "Dana Decider" in _text(message) or "onerror" in _text(message)
        assert "Next best contact:" in _text(message)

    # owner01: exactly one deal at risk (the healthy one and the won one stay out).
    one = received[scenario.owner(1)].message
    assert one["Subject"] == (
        "2026-W40: 1 deal at risk, worst: Risky deal 1 (top decision-maker never contacted)"
    )
    assert _deal_ids_in_order(_html(one)) == ["risky-01"]
    assert "never contacted" in _html(one)


def test_never_contacted_dm_deal_is_first_and_hostile_names_are_escaped(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    _run(store, alert_settings, portfolio)
    message = smtp_server.handler.by_recipient()[scenario.owner(0)].message
    html = _html(message)
    order = _deal_ids_in_order(html)
    # All three are high. "blocked" (9,000,000) is by far the biggest, but the deals whose
    # decision-maker was never contacted go first; amount orders within each group.
    assert order == ["hostile", "risky-00", "blocked"]
    first_deal = html.split('data-deal-id="hostile"', 1)[1].split("data-deal-id=", 1)[0]
    assert 'data-code="DM_NEVER_CONTACTED"' in first_deal
    assert "Won deal" not in html
    # Escaped in the HTML, never raw.
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;pwn&#34;)&lt;/script&gt; Acme &amp; Sons" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # No header injection through the name.
    assert message["Bcc"] is None
    assert message["Subject"].startswith("2026-W40: 3 deals at risk, worst: <script>")
    assert "(top decision-maker never contacted)" in message["Subject"]


def test_rerun_for_the_same_week_sends_nothing(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    assert _run(store, alert_settings, portfolio).count(DeliveryStatus.sent) == OWNERS
    again = _run(store, alert_settings, portfolio)
    assert again.exit_code == 0
    assert again.count(DeliveryStatus.sent) == 0
    assert again.count(DeliveryStatus.already_sent) == OWNERS
    assert len(smtp_server.received) == OWNERS


def test_server_failing_after_three_then_a_rerun_sends_exactly_the_rest(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.behaviour.fail_after = 3
    first = _run(store, alert_settings, portfolio)
    assert first.exit_code == 1
    assert first.count(DeliveryStatus.sent) == 3
    assert len(first.failures) == OWNERS - 3
    failed = [d for d in first.deliveries if d.status == DeliveryStatus.failed]
    assert len(failed) == 3 and all("451" in d.detail for d in failed)  # then it stopped
    assert {d.status for d in first.failures} == {
        DeliveryStatus.failed,
        DeliveryStatus.not_attempted,
    }
    first_batch = [r.rcpt_tos[0] for r in smtp_server.received]
    assert len(first_batch) == 3

    smtp_server.behaviour.fail_after = None
    second = _run(store, alert_settings, portfolio)
    assert second.exit_code == 0
    assert second.count(DeliveryStatus.sent) == OWNERS - 3
    assert second.count(DeliveryStatus.already_sent) == 3
    everyone = [r.rcpt_tos[0] for r in smtp_server.received]
    assert sorted(everyone) == [scenario.owner(i) for i in range(OWNERS)]
    # A resend after a failed attempt keeps its Message-ID.
    ids = {d.recipient: d.message_id for d in first.deliveries}
    for got in smtp_server.received[3:]:
        assert got.message["Message-ID"] == ids[got.rcpt_tos[0]]


def test_rejected_recipient_is_recorded_reported_and_does_not_stop_the_others(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.behaviour.reject.add(scenario.owner(3))
    report = _run(store, alert_settings, portfolio)
    assert report.exit_code == 2
    [rejected] = report.rejections
    assert rejected.recipient == scenario.owner(3) and "550" in rejected.detail
    assert report.count(DeliveryStatus.sent) == OWNERS - 1
    smtp_server.behaviour.reject.clear()
    again = _run(store, alert_settings, portfolio)  # recorded: not retried
    assert again.count(DeliveryStatus.sent) == 0
    assert len(smtp_server.received) == OWNERS - 1


def test_next_week_marks_new_flags_and_lists_cleared_ones(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    _run(store, alert_settings, portfolio)
    between = scenario.SLOT + timedelta(days=2)
    for bundle in (
        scenario.contact_dm("risky-00", between),  # owner00 keeps two other deals at risk
        scenario.contact_dm("risky-01", between),  # owner01's only risk clears
        scenario.contact_dm("risky-02", between),  # owner02: one flag clears ...
        scenario.add_blocker("risky-02", between),  # ... and another one is raised
    ):
        store.import_bundle(workspace=portfolio, bundle=bundle)
    smtp_server.handler.received.clear()

    report = _run(store, alert_settings, portfolio, week=scenario.WEEK.next())
    assert report.exit_code == 0
    received = smtp_server.handler.by_recipient()

    # owner02: the blocker is new; the never-contacted flag is listed as cleared.
    two_html = _html(received[scenario.owner(2)].message)
    blocker = two_html.split('data-code="INFLUENTIAL_BLOCKER"', 1)[1].split("</li>", 1)[0]
    assert "NEW" in blocker
    assert 'data-code="DM_NEVER_CONTACTED"' not in two_html
    cleared = two_html.split('class="cleared"', 1)[1].split("</div>", 1)[0]
    assert "top decision-maker never contacted" in cleared
    two_text = _text(received[scenario.owner(2)].message)
    assert "[NEW] high:" in two_text
    assert "Cleared since last week: top decision-maker never contacted" in two_text
    assert "(NEW = not in your e-mail of 2026-W40)" in two_text

    # owner03: nothing changed, so nothing is new.
    three = _html(received[scenario.owner(3)].message)
    never = three.split('data-code="DM_NEVER_CONTACTED"', 1)[1].split("</li>", 1)[0]
    assert "NEW" not in never

    # owner00: risky-00 left the e-mail; it is listed as no longer at risk.
    zero = _html(received[scenario.owner(0)].message)
    assert _deal_ids_in_order(zero) == ["hostile", "blocked"]
    resolved = zero.split("No longer at risk since your last e-mail", 1)[1]
    assert "Risky deal 0" in resolved and "top decision-maker never contacted" in resolved

    # owner01 has nothing at risk any more: no e-mail at all.
    assert scenario.owner(1) not in received
    assert len(received) == OWNERS - 1


def test_dry_run_writes_eml_files_and_sends_nothing(
    store: GraphStore,
    portfolio: str,
    alert_settings: Settings,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    out = tmp_path / "outbox"
    report = _run(store, alert_settings, portfolio, dry_run=True, out_dir=out)
    assert report.exit_code == 0
    files = sorted(out.glob("*.eml"))
    assert len(files) == OWNERS == report.count(DeliveryStatus.written)
    assert files[0].name == "2026-W40-owner-owner00@example.com.eml"
    assert smtp_server.received == []
    # Nothing recorded either: the real run afterwards sends everything.
    assert _run(store, alert_settings, portfolio).count(DeliveryStatus.sent) == OWNERS


def test_manager_digest(
    store: GraphStore,
    portfolio: str,
    alert_settings: Settings,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    managers = tmp_path / "managers.json"
    team = [scenario.owner(0), scenario.owner(1), scenario.owner(OPTED_OUT), "quiet@example.com"]
    managers.write_text(json.dumps({"Boss@Example.com": team}))
    configured = alert_settings.model_copy(update={"alerts_managers_file": managers})
    report = _run(store, configured, portfolio)
    assert report.exit_code == 0
    digest: Received = smtp_server.handler.by_recipient()["boss@example.com"]
    assert digest.message["Subject"] == ("2026-W40 team digest: 5 deals at risk across 3 owners")
    text = _text(digest.message)
    # The opted-out owner gets no e-mail of their own but counts for their manager.
    assert scenario.owner(OPTED_OUT) in text
    assert "quiet@example.com" in text
    assert "&lt;script&gt;" in _html(digest.message)
    assert len(smtp_server.received) == OWNERS + 1
    again = _run(store, configured, portfolio)
    assert again.count(DeliveryStatus.sent) == 0 and len(smtp_server.received) == OWNERS + 1


def test_an_email_another_run_is_sending_is_left_to_it(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    busy = scenario.owner(5)
    other_run = AlertService(store=store, settings=alert_settings)
    claimed, _ = other_run.ledger.claim(
        workspace=portfolio,
        kind=AlertKind.owner,
        recipient=busy,
        week=scenario.WEEK,
        message_id="<other@example.com>",
        run_id="another-run",
        at=datetime.now(UTC),
    )
    assert claimed
    report = _run(store, alert_settings, portfolio)
    assert report.exit_code == 1
    [held] = report.failures
    assert (held.recipient, held.detail) == (busy, "being sent by another run")
    assert busy not in smtp_server.handler.by_recipient()
    assert len(smtp_server.received) == OWNERS - 1

    # The other run died: once its claim is stale, a rerun sends just that one.
    later = datetime.now(UTC) + timedelta(minutes=31)
    service = AlertService(store=store, settings=alert_settings, clock=lambda: later)
    rerun = service.send(workspace=portfolio, week=scenario.WEEK)
    assert rerun.exit_code == 0 and rerun.count(DeliveryStatus.sent) == 1
    assert smtp_server.received[-1].rcpt_tos == [busy]


def test_an_owner_address_that_would_reach_someone_else_is_refused(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    sneaky = "evil,victim@example.com"  # one address to the domain model, two to a mailer
    store.import_bundle(workspace=portfolio, bundle=scenario.risky_deal("sneaky", sneaky))
    report = _run(store, alert_settings, portfolio)
    [refused] = report.rejections
    assert refused.recipient == sneaky and "not a deliverable address" in refused.detail
    assert report.exit_code == 2
    assert report.count(DeliveryStatus.sent) == OWNERS
    assert all(
        r.rcpt_tos[0].endswith("@example.com") and "," not in r.rcpt_tos[0]
        for r in smtp_server.received
    )
    assert _run(store, alert_settings, portfolio).count(DeliveryStatus.rejected) == 0  # recorded


def test_min_severity_setting(
    store: GraphStore, portfolio: str, alert_settings: Settings, smtp_server: SmtpServer
) -> None:
    broken = alert_settings.model_copy(update={"alerts_min_severity": "critical"})
    with pytest.raises(ConfigurationError, match="expected high, medium or low"):
        _run(store, broken, portfolio)
    # Case-insensitive. The healthy deals have no flag at all, so "low" adds none: the
    # risky deals of 11 owners (one opted out), "hostile" and "blocked".
    loose = alert_settings.model_copy(update={"alerts_min_severity": "LOW"})
    report = _run(store, loose, portfolio)
    assert report.at_risk_deals == OWNERS + 3
