"""The eight deal stories of the demo: each deal, its committee's dated stances and how
our team has worked it.

This is story data, not code. Every instant is an offset in days from the demo's anchor
(see :func:`graphsvc.demo.portfolio.demo_anchor`); the offsets are chosen against the
analysis defaults, as the module docstring of :mod:`graphsvc.demo.portfolio` explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphsvc.demo.cast import AMARA, JAMES, LUKAS, SOFIA, SOLUTION_ENGINEER
from graphsvc.domain.models import Channel, Deal, Role, Stance


@dataclass(frozen=True)
class Seat:
    """One committee membership and its dated changes: ``(day, stance, ally)``, where
    ``day`` is an offset from the anchor (negative: before it)."""

    stakeholder_id: str
    role: Role
    rating: int
    timeline: tuple[tuple[int, Stance, bool], ...]


def _seat(stakeholder_id: str, role: Role, rating: int, timeline: str) -> Seat:
    """``timeline`` reads like ``"-170 neutral, -90 supporter+"`` (``+``: ally)."""
    changes: list[tuple[int, Stance, bool]] = []
    for step in timeline.split(","):
        day, stance = step.split()
        changes.append((int(day), Stance(stance.rstrip("+")), stance.endswith("+")))
    return Seat(stakeholder_id, role, rating, tuple(changes))


@dataclass(frozen=True)
class DealScenario:
    """A demo deal, its committee and how our team has worked it.

    ``expected_flag`` is the risk flag the story is built to raise (``None`` for the
    healthy deal), so a reader of the demo table knows what to look for.
    """

    deal: Deal
    story: str
    expected_flag: str | None
    seats: tuple[Seat, ...]
    topics: tuple[str, ...]
    reach: tuple[str, ...]  # who routine calls and meetings involve
    meetings: tuple[tuple[int, Channel, tuple[str, ...], str], ...] = ()
    cadence_days: int = 10
    first_contact_day: int = -170
    last_contact_day: int = -2
    next_step_day: int = 7  # next step of the latest interaction, days from the anchor
    team: tuple[str, ...] = field(default_factory=tuple)


R = Role

DEAL_STORIES: tuple[DealScenario, ...] = (
    DealScenario(
        deal=Deal(
            id="nw-telematics",
            account_id="acc-northwind",
            name="Fleet telematics platform",
            owner_email=SOFIA,
            amount=840_000,
            currency="EUR",
            stage="Proposal",
            close_date=None,
        ),
        story="healthy: decision-maker won over and met recently, allies, sponsor on board",
        expected_flag=None,
        seats=(
            _seat("nw-coo", R.economic_buyer, 5, "-172 neutral, -95 supporter"),
            _seat("nw-vp-fleet", R.champion, 4, "-172 supporter+, -120 champion+"),
            _seat("nw-ceo", R.executive_sponsor, 5, "-150 neutral, -48 supporter"),
            _seat("nw-cio", R.technical_buyer, 4, "-172 neutral, -62 supporter"),
            _seat("nw-it-arch", R.evaluator, 3, "-168 skeptic, -80 neutral, -33 supporter"),
            _seat("nw-sec", R.evaluator, 3, "-160 skeptic, -52 neutral"),
            _seat("nw-dir-proc", R.influencer, 3, "-140 neutral"),
            _seat("nw-fleet-north", R.business_user, 2, "-172 supporter+"),
            _seat("nw-fleet-south", R.business_user, 2, "-150 neutral, -70 supporter"),
            _seat("nw-dispatch", R.business_user, 1, "-150 supporter"),
            _seat("nw-ea-coo", R.gatekeeper, 2, "-172 neutral, -100 supporter"),
            _seat("nw-controller", R.other, 2, "-120 neutral"),
        ),
        topics=(
            "route data feeds",
            "driver safety scoring",
            "TCO model",
            "security questionnaire",
            "pilot results in the North region",
            "rollout plan for 1,400 vehicles",
        ),
        reach=(
            "nw-vp-fleet",
            "nw-fleet-north",
            "nw-fleet-south",
            "nw-it-arch",
            "nw-cio",
            "nw-sec",
            "nw-dispatch",
            "nw-dir-proc",
        ),
        meetings=(
            (-160, Channel.meeting, ("nw-coo", "nw-vp-fleet"), "Kick-off with the COO"),
            (
                -95,
                Channel.meeting,
                ("nw-coo", "nw-cio", "nw-vp-fleet"),
                "Pilot review: COO agrees to a business case",
            ),
            (-48, Channel.meeting, ("nw-ceo", "nw-coo"), "Executive briefing with the CEO"),
            (
                -9,
                Channel.meeting,
                ("nw-coo", "nw-vp-fleet", "nw-dir-proc"),
                "Commercial proposal walk-through",
            ),
        ),
        next_step_day=9,
        team=(SOFIA, SOLUTION_ENGINEER),
    ),
    DealScenario(
        deal=Deal(
            id="nw-robotics",
            account_id="acc-northwind",
            name="Warehouse robotics pilot",
            owner_email=SOFIA,
            amount=1_250_000,
            currency="EUR",
            stage="Solution design",
        ),
        story="support base growing: the pilot won the warehouse leadership over",
        expected_flag=None,
        seats=(
            _seat("nw-vp-wh", R.decision_maker, 5, "-176 skeptic, -64 neutral, -12 supporter"),
            _seat("nw-coo", R.executive_sponsor, 5, "-150 neutral, -17 supporter"),
            _seat("nw-wh-eng", R.champion, 3, "-176 neutral, -100 supporter+, -40 champion+"),
            _seat("nw-wh-site", R.business_user, 2, "-170 skeptic, -15 supporter"),
            _seat("nw-safety", R.evaluator, 3, "-170 blocker, -90 skeptic, -10 neutral"),
            _seat("nw-it-arch", R.technical_buyer, 3, "-150 neutral, -19 supporter"),
            _seat("nw-controller", R.influencer, 2, "-140 neutral, -8 supporter"),
            _seat("nw-dir-proc", R.gatekeeper, 2, "-140 unknown, -60 neutral"),
            _seat("nw-legal", R.other, 1, "-120 unknown"),
        ),
        topics=(
            "pick-rate baseline",
            "safety case for mixed traffic",
            "WMS integration",
            "pilot KPIs at Rotterdam DC",
            "shift pattern impact",
        ),
        reach=("nw-wh-eng", "nw-wh-site", "nw-safety", "nw-it-arch", "nw-vp-wh"),
        meetings=(
            (
                -70,
                Channel.meeting,
                ("nw-vp-wh", "nw-wh-eng", "nw-wh-site"),
                "Pilot go-live at Rotterdam DC",
            ),
            (
                -16,
                Channel.meeting,
                ("nw-vp-wh", "nw-coo", "nw-wh-eng"),
                "Pilot results: 31% higher pick rate",
            ),
            (-4, Channel.call, ("nw-vp-wh", "nw-controller"), "Business case numbers"),
        ),
        cadence_days=9,
        next_step_day=8,
        team=(SOFIA, SOLUTION_ENGINEER),
    ),
    DealScenario(
        deal=Deal(
            id="nw-customs",
            account_id="acc-northwind",
            name="Customs data integration",
            owner_email=LUKAS,
            amount=180_000,
            currency="EUR",
            stage="Qualification",
        ),
        story="single-threaded: every contact so far went through one person",
        expected_flag="SINGLE_THREADED",
        seats=(
            _seat("nw-customs", R.decision_maker, 4, "-150 supporter+, -60 champion+"),
            _seat("nw-customs-an", R.evaluator, 2, "-150 unknown"),
            _seat("nw-cio", R.technical_buyer, 4, "-140 unknown"),
            _seat("nw-data", R.evaluator, 3, "-140 neutral"),
            _seat("nw-legal", R.influencer, 2, "-130 unknown"),
            _seat("nw-controller", R.business_user, 2, "-130 neutral"),
        ),
        topics=(
            "tariff classification data",
            "broker EDI feeds",
            "audit trail",
            "post-Brexit declarations",
        ),
        reach=("nw-customs",),
        first_contact_day=-148,
        cadence_days=16,
        next_step_day=10,
        team=(LUKAS,),
    ),
    DealScenario(
        deal=Deal(
            id="hh-scheduling",
            account_id="acc-helios",
            name="Enterprise clinical scheduling suite",
            owner_email=JAMES,
            amount=2_400_000,
            currency="USD",
            stage="Evaluation",
        ),
        story="top decision-maker never contacted: 25 people mapped, the CMO never met",
        expected_flag="DM_NEVER_CONTACTED",
        seats=(
            _seat("hh-cmo", R.decision_maker, 5, "-165 unknown"),
            _seat("hh-cfo", R.executive_sponsor, 4, "-165 neutral, -90 supporter"),
            _seat("hh-vp-clinops", R.influencer, 4, "-165 neutral, -75 supporter"),
            _seat("hh-cno", R.influencer, 4, "-160 neutral"),
            _seat("hh-dir-access", R.champion, 4, "-165 supporter+, -110 champion+"),
            _seat("hh-dir-nursing", R.evaluator, 3, "-150 skeptic, -60 neutral"),
            _seat("hh-clin-apps", R.technical_buyer, 4, "-160 neutral, -80 supporter"),
            _seat("hh-ciso", R.evaluator, 3, "-150 skeptic"),
            _seat("hh-infra", R.evaluator, 2, "-140 neutral"),
            _seat("hh-sourcing", R.gatekeeper, 3, "-150 neutral"),
            _seat("hh-finbp", R.influencer, 2, "-140 neutral, -50 supporter"),
            _seat("hh-legal", R.other, 2, "-120 unknown"),
            _seat("hh-ea-cmo", R.gatekeeper, 2, "-150 neutral"),
            _seat("hh-sched-sup", R.business_user, 2, "-165 supporter+"),
            _seat("hh-sched-or", R.business_user, 2, "-150 neutral, -40 supporter"),
            _seat("hh-nm-cardio", R.business_user, 2, "-140 neutral"),
            _seat("hh-nm-onc", R.business_user, 2, "-140 skeptic"),
            _seat("hh-nm-ed", R.business_user, 2, "-140 neutral"),
            _seat("hh-rad-lead", R.evaluator, 3, "-130 neutral"),
            _seat("hh-surg-lead", R.evaluator, 3, "-130 skeptic, -45 neutral"),
            _seat("hh-call-ctr", R.business_user, 2, "-120 supporter"),
            _seat("hh-ehr-analyst", R.evaluator, 2, "-150 neutral, -70 supporter"),
            _seat("hh-trainer", R.business_user, 1, "-100 neutral"),
            _seat("hh-pmo", R.influencer, 3, "-150 supporter"),
            _seat("hh-bi", R.business_user, 2, "-100 neutral"),
        ),
        topics=(
            "no-show reduction",
            "theatre utilisation",
            "EHR integration",
            "nurse rostering",
            "contact-centre call volumes",
            "data migration",
            "clinical safety sign-off",
        ),
        reach=(
            "hh-dir-access",
            "hh-vp-clinops",
            "hh-sched-sup",
            "hh-sched-or",
            "hh-clin-apps",
            "hh-ehr-analyst",
            "hh-dir-nursing",
            "hh-nm-cardio",
            "hh-nm-ed",
            "hh-call-ctr",
            "hh-pmo",
            "hh-finbp",
            "hh-ciso",
            "hh-surg-lead",
            "hh-ea-cmo",
        ),
        meetings=(
            (-90, Channel.meeting, ("hh-cfo", "hh-finbp", "hh-pmo"), "Business case with the CFO"),
            (-30, Channel.email, ("hh-ea-cmo",), "Asked for 30 minutes with the CMO; no slot yet"),
            (
                -6,
                Channel.meeting,
                ("hh-dir-access", "hh-vp-clinops", "hh-clin-apps"),
                "Solution demo for the scheduling team",
            ),
        ),
        cadence_days=6,
        next_step_day=8,
        team=(JAMES, SOLUTION_ENGINEER),
    ),
    DealScenario(
        deal=Deal(
            id="hh-portal",
            account_id="acc-helios",
            name="Patient portal renewal",
            owner_email=JAMES,
            amount=620_000,
            currency="USD",
            stage="Negotiation",
        ),
        story="support base shrinking: a security review turned the digital team against us",
        expected_flag="SUPPORT_SHRINKING",
        seats=(
            _seat("hh-cdo", R.economic_buyer, 5, "-175 neutral, -110 supporter, -12 skeptic"),
            _seat("hh-px", R.champion, 4, "-175 supporter+, -130 champion+"),
            _seat("hh-digital-pm", R.evaluator, 3, "-175 neutral, -100 supporter, -9 neutral"),
            _seat("hh-cio", R.technical_buyer, 4, "-170 neutral, -90 supporter, -15 skeptic"),
            _seat("hh-ciso", R.evaluator, 4, "-170 neutral, -6 blocker"),
            _seat("hh-ceo", R.executive_sponsor, 5, "-160 neutral, -80 supporter"),
            _seat("hh-clin-apps", R.evaluator, 3, "-160 neutral, -85 supporter"),
            _seat("hh-data-arch", R.evaluator, 2, "-150 neutral"),
            _seat("hh-sourcing", R.gatekeeper, 3, "-150 neutral"),
            _seat("hh-legal", R.influencer, 2, "-140 neutral, -11 skeptic"),
            _seat("hh-call-ctr", R.business_user, 2, "-150 supporter"),
            _seat("hh-dir-access", R.business_user, 3, "-150 supporter"),
            _seat("hh-trainer", R.business_user, 1, "-120 neutral"),
            _seat("hh-ehr-analyst", R.business_user, 2, "-130 neutral"),
        ),
        topics=(
            "renewal pricing",
            "accessibility audit",
            "penetration test findings",
            "app-store ratings",
            "SSO with the EHR",
            "data residency",
        ),
        reach=(
            "hh-px",
            "hh-digital-pm",
            "hh-cdo",
            "hh-clin-apps",
            "hh-call-ctr",
            "hh-cio",
            "hh-sourcing",
        ),
        meetings=(
            (
                -14,
                Channel.meeting,
                ("hh-ciso", "hh-cio", "hh-digital-pm"),
                "Penetration test debrief: two critical findings",
            ),
            (-5, Channel.call, ("hh-px",), "Champion warns the CDO is reconsidering"),
        ),
        cadence_days=9,
        next_step_day=11,
        team=(JAMES,),
    ),
    DealScenario(
        deal=Deal(
            id="hh-warehouse",
            account_id="acc-helios",
            name="Clinical data warehouse migration",
            owner_email=JAMES,
            amount=450_000,
            currency="USD",
            stage="Discovery",
        ),
        story="stale: nobody has talked to the committee for six weeks",
        expected_flag="STALE",
        seats=(
            _seat("hh-cio", R.decision_maker, 5, "-160 neutral, -100 supporter"),
            _seat("hh-bi", R.champion, 4, "-160 supporter+"),
            _seat("hh-data-arch", R.technical_buyer, 3, "-150 neutral"),
            _seat("hh-dba", R.evaluator, 2, "-150 skeptic"),
            _seat("hh-infra", R.evaluator, 3, "-150 neutral"),
            _seat("hh-ciso", R.influencer, 3, "-140 neutral"),
            _seat("hh-cfo", R.executive_sponsor, 4, "-120 unknown"),
            _seat("hh-finbp", R.business_user, 2, "-120 neutral"),
        ),
        topics=("warehouse sizing", "ETL inventory", "cloud landing zone"),
        reach=("hh-bi", "hh-data-arch", "hh-dba", "hh-infra"),
        meetings=((-75, Channel.meeting, ("hh-cio", "hh-bi"), "Discovery kick-off with the CIO"),),
        cadence_days=12,
        first_contact_day=-150,
        last_contact_day=-44,
        next_step_day=-30,
        team=(JAMES, SOLUTION_ENGINEER),
    ),
    DealScenario(
        deal=Deal(
            id="bw-grid",
            account_id="acc-brightwater",
            name="Grid analytics rollout",
            owner_email=AMARA,
            amount=1_800_000,
            currency="EUR",
            stage="Evaluation",
        ),
        story="influential blocker: the SCADA manager defends the incumbent system",
        expected_flag="INFLUENTIAL_BLOCKER",
        seats=(
            _seat("bw-vp-grid", R.decision_maker, 5, "-168 neutral"),
            _seat("bw-scada", R.technical_buyer, 5, "-168 skeptic, -90 blocker"),
            _seat("bw-cto", R.executive_sponsor, 4, "-160 supporter"),
            _seat("bw-analytics", R.champion, 4, "-168 supporter+, -120 champion+"),
            _seat("bw-datasci", R.evaluator, 3, "-150 supporter"),
            _seat("bw-control", R.business_user, 3, "-150 skeptic"),
            _seat("bw-assets", R.business_user, 3, "-140 neutral, -60 supporter"),
            _seat("bw-itsec", R.evaluator, 3, "-140 neutral"),
            _seat("bw-procure", R.gatekeeper, 2, "-130 neutral"),
            _seat("bw-cfo", R.economic_buyer, 4, "-130 unknown, -70 neutral"),
            _seat("bw-coo", R.influencer, 4, "-150 neutral"),
            _seat("bw-ea-coo", R.gatekeeper, 1, "-120 neutral"),
            _seat("bw-field-ops", R.business_user, 2, "-110 neutral"),
            _seat("bw-dispatch", R.business_user, 1, "-110 supporter"),
            _seat("bw-training", R.other, 1, "-100 neutral"),
            _seat("bw-tech-lead", R.business_user, 1, "-100 neutral"),
        ),
        topics=(
            "outage prediction model",
            "SCADA historian access",
            "OT security zoning",
            "asset health scoring",
            "control-room workflow",
        ),
        reach=(
            "bw-analytics",
            "bw-datasci",
            "bw-vp-grid",
            "bw-assets",
            "bw-cto",
            "bw-itsec",
            "bw-scada",
            "bw-control",
        ),
        meetings=(
            (
                -88,
                Channel.meeting,
                ("bw-scada", "bw-vp-grid"),
                "SCADA integration workshop: Frank insists on the incumbent's historian",
            ),
            (
                -11,
                Channel.meeting,
                ("bw-vp-grid", "bw-cto", "bw-analytics"),
                "Steering committee: outage-prediction results",
            ),
        ),
        cadence_days=8,
        next_step_day=12,
        team=(AMARA, SOLUTION_ENGINEER),
    ),
    DealScenario(
        deal=Deal(
            id="bw-field",
            account_id="acc-brightwater",
            name="Field service mobility",
            owner_email=AMARA,
            amount=390_000,
            currency="EUR",
            stage="Discovery",
        ),
        story="no confirmed decision-maker: nobody on the committee holds a decision role yet",
        expected_flag="DM_UNCONFIRMED",
        seats=(
            _seat("bw-vp-field", R.executive_sponsor, 4, "-130 neutral, -40 supporter"),
            _seat("bw-field-ops", R.champion, 3, "-130 supporter+"),
            _seat("bw-dispatch", R.business_user, 2, "-120 supporter"),
            _seat("bw-tech-lead", R.business_user, 2, "-120 neutral, -30 supporter"),
            _seat("bw-training", R.influencer, 2, "-110 neutral"),
            _seat("bw-itsec", R.evaluator, 3, "-100 skeptic"),
            _seat("bw-procure", R.gatekeeper, 2, "-90 unknown"),
        ),
        topics=(
            "offline work orders",
            "crew scheduling",
            "rugged device fleet",
            "training plan for 600 technicians",
        ),
        reach=("bw-field-ops", "bw-dispatch", "bw-tech-lead", "bw-vp-field", "bw-training"),
        meetings=(
            (
                -15,
                Channel.meeting,
                ("bw-vp-field", "bw-field-ops"),
                "Asked who signs off: the VP says the COO or the CFO, not her",
            ),
        ),
        first_contact_day=-125,
        cadence_days=11,
        next_step_day=12,
        team=(AMARA,),
    ),
)
