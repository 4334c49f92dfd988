"""Pure functions that turn alert content into e-mail messages.

Nothing here reads the store, the clock or the network: given the same
:class:`~graphsvc.alerts.schemas.OwnerAlert` the same message comes out, which is what
makes the dry run show exactly what a real run sends. Each message is
``multipart/related`` holding a ``multipart/alternative`` (plain text, then HTML) and
one small PNG chart per deal, referenced from the HTML by ``cid:`` (PNG because most
mail clients do not render inline SVG).
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from PIL import Image

from graphsvc.alerts.schemas import (
    AlertKind,
    DealAlert,
    FlagNote,
    ManagerDigest,
    OwnerAlert,
    OwnerSummary,
)
from graphsvc.analysis.schemas import (
    DealRisk,
    Flag,
    FlagCode,
    Severity,
    SupportPoint,
    Trend,
)

CHART_WIDTH_PX = 240
CHART_HEIGHT_PX = 72
_SUBJECT_NAME_MAX = 60
# 7-bit safe through any relay, unlike "8bit", which needs the server's 8BITMIME.
_TEXT_CTE = "quoted-printable"

FLAG_LABELS: dict[FlagCode, str] = {
    FlagCode.DM_NEVER_CONTACTED: "top decision-maker never contacted",
    FlagCode.DM_NOT_RECENTLY_CONTACTED: "top decision-maker not contacted recently",
    FlagCode.DM_UNCONFIRMED: "top decision-maker not confirmed",
    FlagCode.SUPPORT_SHRINKING: "support shrinking",
    FlagCode.NO_ALLY: "no ally on the committee",
    FlagCode.INFLUENTIAL_BLOCKER: "influential blocker",
    FlagCode.NO_PATH_TO_DM: "no path to the decision-maker",
    FlagCode.SINGLE_THREADED: "single-threaded",
    FlagCode.STALE: "no recent contact",
    FlagCode.NO_NEXT_STEP: "no next step planned",
    FlagCode.KEY_PERSON_STANCE_UNKNOWN: "key person's stance unknown",
    FlagCode.MAP_INCOMPLETE: "committee map incomplete",
}


def flag_label(code: FlagCode | str) -> str:
    try:
        return FLAG_LABELS[FlagCode(code)]
    except ValueError:
        return str(code).replace("_", " ").lower()


# --- which deals, in which order -------------------------------------------------------


def is_at_risk(analysis: DealRisk, *, min_severity: Severity = Severity.medium) -> bool:
    """An open deal with at least one flag of ``min_severity`` or worse."""
    if analysis.status != "open":
        return False
    return any(f.severity.weight >= min_severity.weight for f in analysis.flags)


def deal_order_key(deal: DealAlert) -> tuple[Any, ...]:
    """Severity first, then amount (largest first). Within one severity, a deal whose top
    decision-maker was never contacted goes first: the brief names it the most dangerous
    state a deal can be in. Name and id only make the order total."""
    never = any(n.code == FlagCode.DM_NEVER_CONTACTED for n in deal.flags)
    return (-deal.worst.weight, not never, -(deal.amount or 0.0), deal.deal_name, deal.deal_id)


def order_flags(flags: Iterable[Flag]) -> list[Flag]:
    codes = list(FlagCode)
    return sorted(flags, key=lambda f: (-f.severity.weight, codes.index(f.code)))


def flag_notes(
    flags: Sequence[Flag], previous_codes: Iterable[str] | None
) -> tuple[list[FlagNote], list[FlagCode]]:
    """Mark each flag new unless last week's e-mail carried it; list the ones it carried
    that are gone now as cleared. ``previous_codes`` None: the deal was not in last
    week's e-mail, so every flag is new and nothing is cleared."""
    before = set(previous_codes or ())
    notes = [
        FlagNote(
            code=f.code, severity=f.severity, message=f.message, new=f.code.value not in before
        )
        for f in order_flags(flags)
    ]
    now = {f.code.value for f in flags}
    cleared = [FlagCode(c) for c in sorted(before - now) if c in FlagCode.__members__]
    return notes, cleared


# --- headers -----------------------------------------------------------------------------


def header_text(text: str, *, limit: int = _SUBJECT_NAME_MAX) -> str:
    """One line of printable text for a header: a hostile name must not add headers."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def owner_subject(alert: OwnerAlert) -> str:
    """Names the number of deals at risk and the worst one (deals are in e-mail order)."""
    n = len(alert.deals)
    worst = alert.deals[0]
    noun = "deal" if n == 1 else "deals"
    why = flag_label(worst.flags[0].code) if worst.flags else worst.worst.value
    return f"{alert.week}: {n} {noun} at risk, worst: {header_text(worst.deal_name)} ({why})"


def digest_subject(digest: ManagerDigest) -> str:
    deals = sum(o.deals_at_risk for o in digest.owners)
    owners = len(digest.owners)
    return (
        f"{digest.week} team digest: {deals} deal{'s' if deals != 1 else ''} at risk "
        f"across {owners} owner{'s' if owners != 1 else ''}"
    )


def message_id_for(
    *, workspace: str, kind: AlertKind, recipient: str, week: str, mail_from: str
) -> str:
    """A Message-ID fixed by (workspace, kind, recipient, week): a resend after a crash
    carries the same id, so receiving systems can drop the duplicate."""
    digest = hashlib.sha256(
        "\x1f".join((workspace, kind.value, recipient.lower(), week)).encode("utf-8")
    ).hexdigest()[:32]
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "graphsvc.invalid"
    return f"<{week.lower()}.{kind.value}.{digest}@{domain}>"


# --- chart -------------------------------------------------------------------------------

_chart_lock = threading.Lock()


@lru_cache(maxsize=1)
def _chart_figure() -> tuple[Any, Any, Any, Any, Any]:
    """One reusable figure: building a matplotlib figure costs far more than drawing it.
    The static part (background, guide lines) is drawn once and kept as a bitmap; each
    chart restores it and draws only its two lines (pixel-identical to a full draw)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100
    fig = Figure(figsize=(CHART_WIDTH_PX / dpi, CHART_HEIGHT_PX / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.08, 0.96, 0.84))
    ax.set_ylim(-0.04, 1.04)
    ax.set_axis_off()
    ax.axhline(0.5, color="#d0d0d0", linewidth=0.8, linestyle=(0, (2, 2)))
    ax.axhline(0.0, color="#e0e0e0", linewidth=0.8)
    (opposition,) = ax.plot([], [], color="#c62828", linewidth=1.0, alpha=0.8)
    (share,) = ax.plot([], [], color="#2e7d32", linewidth=1.8, marker="o", markersize=2.5)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    return canvas, ax, share, opposition, background


@lru_cache(maxsize=4096)
def _chart_png(shares: tuple[float, ...], oppositions: tuple[float, ...]) -> bytes:
    with _chart_lock:
        canvas, ax, share, opposition, background = _chart_figure()
        xs = list(range(len(shares)))
        ax.set_xlim(-0.4, max(len(shares) - 1, 1) + 0.4)
        share.set_data(xs, shares)
        opposition.set_data(xs, oppositions)
        canvas.restore_region(background)
        ax.draw_artist(opposition)
        ax.draw_artist(share)
        pixels = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    # A 32-colour palette image looks the same as the RGBA one for a two-line chart, is
    # a quarter of the bytes and encodes several times faster (the encoder dominated).
    image = Image.fromarray(pixels).quantize(
        colors=32, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def support_chart_png(points: Sequence[SupportPoint]) -> bytes:
    """A small PNG of support share (green) and opposition (red) over ``points``, oldest
    first, on a fixed 0..1 scale with a dashed 50% line. Values are rounded to 0.1% so
    equal-looking histories share one cached image."""
    shares = tuple(round(p.share, 3) for p in points)
    oppositions = tuple(round(p.opposition, 3) for p in points)
    return _chart_png(shares, oppositions)


def chart_cid(message_id: str, index: int) -> str:
    """The Content-ID (without angle brackets) of one deal's chart in one message."""
    token = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:16]
    return f"chart{index}.{token}@graphsvc"


# --- templates ---------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _points(value: float) -> str:
    return f"{value * 100:+.0f} pts"


def _money(value: float | None) -> str:
    if value is None:
        return "no amount"
    return f"{value:,.0f}"


def _day(value: datetime | None) -> str:
    return "never" if value is None else value.strftime("%Y-%m-%d")


def _trend_word(trend: Trend) -> str:
    return {Trend.growing: "growing", Trend.shrinking: "shrinking", Trend.stable: "stable"}[trend]


def _trend_arrow(trend: Trend) -> str:
    return {Trend.growing: "▲", Trend.shrinking: "▼", Trend.stable: "▶"}[trend]


def _dm_status(deal: DealAlert) -> str:
    dm = deal.top_decision_maker
    if dm is None:
        return "no decision-maker identified on the committee"
    parts = [] if dm.confirmed else ["not confirmed"]
    if not dm.contacted or dm.last_contact_at is None:
        parts.insert(0, "never contacted")
    else:
        parts.insert(0, f"last contacted {_day(dm.last_contact_at)}")
    return ", ".join(parts)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("graphsvc.alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        percent=_percent,
        points=_points,
        money=_money,
        day=_day,
        flag_label=flag_label,
        trend_word=_trend_word,
        trend_arrow=_trend_arrow,
        dm_status=_dm_status,
        # A name is free text: in the plain-text part a line break in it would fake a line.
        line=lambda text: header_text(str(text), limit=10_000),
    )
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>``; autoescaping is on for every ``*.html.j2``."""
    return _environment().get_template(template).render(**context)


# --- messages ----------------------------------------------------------------------------


class InvalidRecipient(ValueError):
    """An address that is not exactly one plain addr-spec (it would reach someone else)."""


def recipient(address: str) -> str:
    """``address`` as a To header, or :class:`InvalidRecipient`: the domain model accepts
    any characters but ``@`` and spaces, and ``a,b@x`` must not become two recipients."""
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, HeaderParseError) as exc:
        raise InvalidRecipient(f"not a deliverable address: {address!r}") from exc
    if parsed.addr_spec != address:
        raise InvalidRecipient(f"not a plain address: {address!r}")
    return str(parsed)


def _address(text: str) -> str:
    name, addr = parseaddr(text)
    if not addr:
        return text
    return str(Address(display_name=header_text(name, limit=200), addr_spec=addr))


def _envelope(
    *,
    subject: str,
    to: str,
    mail_from: str,
    reply_to: str | None,
    message_id: str,
    date: datetime | None,
    week: str,
    kind: AlertKind,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _address(mail_from)
    message["To"] = recipient(to)
    if reply_to:
        message["Reply-To"] = _address(reply_to)
    message["Message-ID"] = message_id
    if date is not None:
        message["Date"] = format_datetime(date)
    # RFC 3834: tells auto-responders not to answer a machine-sent report.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Graphsvc-Week"] = week
    message["X-Graphsvc-Kind"] = kind.value
    return message


def _boundary(message_id: str, role: str) -> str:
    """A MIME boundary fixed by the message: the same alert gives the same bytes (the
    dry run's files can be diffed). Base64 and quoted-printable never produce "=_"."""
    return f"=_{role}_{hashlib.sha256(message_id.encode('utf-8')).hexdigest()[:24]}"


def _adopt(message: EmailMessage, body: MIMEPart) -> None:
    """Make ``message`` carry ``body``'s content (keeping its own headers)."""
    for name in ("Content-Type", "Content-Transfer-Encoding", "MIME-Version"):
        del message[name]
    for name, value in body.items():
        if name.lower().startswith("content-"):
            message[name] = value
    message.set_payload(body.get_payload())


def owner_email(
    alert: OwnerAlert,
    *,
    mail_from: str,
    reply_to: str | None,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """The owner's weekly e-mail: related(alternative(text, html), one PNG per deal)."""
    cids = [chart_cid(message_id, i) for i in range(len(alert.deals))]
    charts = [support_chart_png(d.history) if len(d.history) >= 2 else None for d in alert.deals]
    context = {
        "alert": alert,
        "deals": list(zip(alert.deals, cids, charts, strict=True)),
    }
    message = _envelope(
        subject=owner_subject(alert),
        to=alert.owner,
        mail_from=mail_from,
        reply_to=reply_to,
        message_id=message_id,
        date=date,
        week=alert.week,
        kind=AlertKind.owner,
    )
    alternative = MIMEPart(policy=message.policy)
    alternative.set_content(render("owner.txt.j2", **context), cte=_TEXT_CTE)
    alternative.add_alternative(render("owner.html.j2", **context), subtype="html", cte=_TEXT_CTE)
    alternative.set_boundary(_boundary(message_id, "alt"))
    images = [(cid, png) for cid, png in zip(cids, charts, strict=True) if png is not None]
    if not images:
        _adopt(message, alternative)
        return message
    message.make_related(boundary=_boundary(message_id, "rel"))
    # RFC 2387: the root part's type, so clients know which part to render.
    message.set_param("type", "multipart/alternative")
    message.attach(alternative)  # type: ignore[arg-type]  # typeshed wants EmailMessage
    for cid, png in images:
        image = MIMEPart(policy=message.policy)
        image.set_content(
            png,
            maintype="image",
            subtype="png",
            cid=f"<{cid}>",
            disposition="inline",
            filename=f"{cid.split('.', 1)[0]}.png",
        )
        message.attach(image)  # type: ignore[arg-type]
    return message


def summarize_owner(alert: OwnerAlert) -> OwnerSummary:
    return OwnerSummary(
        owner=alert.owner,
        deals_at_risk=len(alert.deals),
        high=sum(1 for d in alert.deals if d.worst == Severity.high),
        amount_at_risk=sum(d.amount or 0.0 for d in alert.deals),
        new_flags=sum(1 for d in alert.deals for n in d.flags if n.new),
        worst_deal=alert.deals[0],
    )


def digest_order_key(summary: OwnerSummary) -> tuple[Any, ...]:
    return (-summary.high, -summary.amount_at_risk, summary.owner)


def digest_email(
    digest: ManagerDigest,
    *,
    mail_from: str,
    reply_to: str | None,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """A manager's weekly digest: alternative(text, html), no images."""
    message = _envelope(
        subject=digest_subject(digest),
        to=digest.manager,
        mail_from=mail_from,
        reply_to=reply_to,
        message_id=message_id,
        date=date,
        week=digest.week,
        kind=AlertKind.digest,
    )
    message.set_content(render("digest.txt.j2", digest=digest), cte=_TEXT_CTE)
    message.add_alternative(render("digest.html.j2", digest=digest), subtype="html", cte=_TEXT_CTE)
    message.set_boundary(_boundary(message_id, "alt"))
    return message
