"""A demo portfolio written for the first run: three accounts, eight open deals.

Each deal tells one story a sales team knows (see :attr:`DealScenario.story`): a
healthy deal, one whose support base grows, one where it shrinks, one whose top
decision-maker was never contacted, one single-threaded, a stale one, one with an
influential blocker, one without a confirmed decision-maker. Committees hold 6 to 25
people with realistic titles, reporting lines and influence lines, and six months of
dated stance changes and interactions.

Loading it twice must duplicate nothing, so every id is fixed and every instant is an
offset in days from :func:`demo_anchor` (the start of the current ISO week in UTC), not
from the current second: within one week, two loads write exactly the same facts. The
offsets are chosen against the analysis defaults (trend window 4 weeks, stale after 30
days, decision-maker contact older than 45 days): changes meant to move the trend sit
within the last 20 days before the anchor, which is inside the window whatever day of
the week "now" is.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from graphsvc.domain.models import (
    Account,
    Bundle,
    Channel,
    Deal,
    Interaction,
    Role,
    Stance,
    Tier,
)
from graphsvc.examples import ExampleBuilder

DEMO_WORKSPACE = "demo"
_HISTORY_DAYS = 182  # six months of history before the anchor


def demo_anchor(now: datetime | None = None) -> datetime:
    """Monday 00:00 UTC of the ISO week holding ``now``: the instant every fact hangs from.

    Examples
    --------
    >>> demo_anchor(datetime(2026, 11, 26, 15, 30, tzinfo=UTC)).isoformat()
    '2026-11-23T00:00:00+00:00'
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    monday = moment.date() - timedelta(days=moment.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


# --------------------------------------------------------------------------- our team

_TEAM: dict[str, str] = {
    "sofia.marin@acme-analytics.example": "Sofia Marín",
    "james.whitfield@acme-analytics.example": "James Whitfield",
    "amara.nwosu@acme-analytics.example": "Amara Nwosu",
    "lukas.berg@acme-analytics.example": "Lukas Berg",
    "priya.nair@acme-analytics.example": "Priya Nair",  # solution engineer on several deals
}
_SE = "priya.nair@acme-analytics.example"
_SOFIA = "sofia.marin@acme-analytics.example"
_JAMES = "james.whitfield@acme-analytics.example"
_AMARA = "amara.nwosu@acme-analytics.example"
_LUKAS = "lukas.berg@acme-analytics.example"


# --------------------------------------------------------------------------- accounts

# (id, name, title, manager id)
_Person = tuple[str, str, str, str | None]


@dataclass(frozen=True)
class _AccountSpec:
    account: Account
    domain: str
    people: tuple[_Person, ...]
    # (source, target, strength): source sways target; formal and informal ties
    influences: tuple[tuple[str, str, float], ...]


_NORTHWIND = _AccountSpec(
    account=Account(id="acc-northwind", name="Northwind Logistics", tier=Tier.strategic),
    domain="northwind-logistics.example",
    people=(
        ("nw-ceo", "Henrik Aalto", "Chief Executive Officer", None),
        ("nw-coo", "Priya Raman", "Chief Operating Officer", "nw-ceo"),
        ("nw-cfo", "Marcus Oyelaran", "Chief Financial Officer", "nw-ceo"),
        ("nw-cio", "Elena Kowalczyk", "Chief Information Officer", "nw-ceo"),
        ("nw-vp-fleet", "Daniel Okafor", "VP Fleet Operations", "nw-coo"),
        ("nw-vp-wh", "Sara Lindholm", "VP Warehousing", "nw-coo"),
        ("nw-dir-proc", "Tomás Herrera", "Director of Procurement", "nw-cfo"),
        ("nw-it-arch", "Wei Chen", "Enterprise Architect", "nw-cio"),
        ("nw-sec", "Grace Mbeki", "Head of Information Security", "nw-cio"),
        ("nw-data", "Noor Haddad", "Data Platform Manager", "nw-cio"),
        ("nw-fleet-north", "Luca Bianchi", "Fleet Manager, North Region", "nw-vp-fleet"),
        ("nw-fleet-south", "Aisha Rahman", "Fleet Manager, South Region", "nw-vp-fleet"),
        ("nw-dispatch", "Oliver Grant", "Dispatch Team Lead", "nw-fleet-north"),
        ("nw-ea-coo", "Hannah Weber", "Executive Assistant to the COO", "nw-coo"),
        ("nw-wh-eng", "Kenji Watanabe", "Automation Engineering Lead", "nw-vp-wh"),
        ("nw-wh-site", "Fatima Al-Sayed", "Site Manager, Rotterdam DC", "nw-vp-wh"),
        ("nw-safety", "Patrick Doyle", "Health & Safety Manager", "nw-vp-wh"),
        ("nw-customs", "Ingrid Solberg", "Head of Customs & Trade Compliance", "nw-cfo"),
        ("nw-customs-an", "Mateo Rossi", "Customs Data Analyst", "nw-customs"),
        ("nw-legal", "Claire Dubois", "Senior Legal Counsel", "nw-cfo"),
        ("nw-controller", "Ravi Iyer", "Financial Controller", "nw-cfo"),
    ),
    influences=(
        ("nw-ceo", "nw-coo", 0.6),
        ("nw-vp-fleet", "nw-coo", 0.8),  # the COO's most trusted operator
        ("nw-cio", "nw-coo", 0.5),
        ("nw-it-arch", "nw-cio", 0.7),
        ("nw-sec", "nw-cio", 0.6),
        ("nw-sec", "nw-it-arch", 0.4),
        ("nw-fleet-north", "nw-vp-fleet", 0.6),
        ("nw-fleet-south", "nw-vp-fleet", 0.4),
        ("nw-dispatch", "nw-fleet-north", 0.5),
        ("nw-ea-coo", "nw-coo", 0.3),
        ("nw-dir-proc", "nw-cfo", 0.6),
        ("nw-controller", "nw-cfo", 0.5),
        ("nw-wh-eng", "nw-vp-wh", 0.7),
        ("nw-wh-site", "nw-vp-wh", 0.5),
        ("nw-safety", "nw-vp-wh", 0.6),
        ("nw-vp-wh", "nw-coo", 0.6),
        ("nw-wh-eng", "nw-it-arch", 0.3),  # former colleagues at a 3PL
        ("nw-customs-an", "nw-customs", 0.6),
        ("nw-data", "nw-customs", 0.4),
        ("nw-legal", "nw-customs", 0.3),
        ("nw-data", "nw-cio", 0.4),
        ("nw-customs", "nw-cio", 0.3),
    ),
)

_HELIOS = _AccountSpec(
    account=Account(id="acc-helios", name="Helios Health Systems", tier=Tier.strategic),
    domain="helios-health.example",
    people=(
        ("hh-ceo", "Margaret Ellison", "Chief Executive Officer", None),
        ("hh-cfo", "Samuel Adeyemi", "Chief Financial Officer", "hh-ceo"),
        ("hh-cmo", "Ana Lucía Ferreira", "Chief Medical Officer", "hh-ceo"),
        ("hh-cno", "Rebecca Thornton", "Chief Nursing Officer", "hh-ceo"),
        ("hh-cio", "Vikram Desai", "Chief Information Officer", "hh-ceo"),
        ("hh-cdo", "Julia Novak", "Chief Digital Officer", "hh-ceo"),
        ("hh-vp-clinops", "Michael O'Brien", "VP Clinical Operations", "hh-cmo"),
        (
            "hh-dir-access",
            "Yuki Tanaka",
            "Director of Patient Access & Scheduling",
            "hh-vp-clinops",
        ),
        ("hh-dir-nursing", "Carmen Díaz", "Director of Nursing Operations", "hh-cno"),
        ("hh-clin-apps", "Peter Lindgren", "Director of Clinical Applications", "hh-cio"),
        ("hh-infra", "Olga Petrova", "Director of IT Infrastructure", "hh-cio"),
        ("hh-ciso", "Benjamin Clarke", "Chief Information Security Officer", "hh-cio"),
        ("hh-sourcing", "Linda Osei", "Head of Strategic Sourcing", "hh-cfo"),
        ("hh-finbp", "Arjun Mehta", "Finance Business Partner, Clinical", "hh-cfo"),
        ("hh-legal", "Sophie Laurent", "Associate General Counsel", "hh-ceo"),
        ("hh-ea-cmo", "Nadia Karim", "Executive Assistant to the CMO", "hh-cmo"),
        ("hh-px", "Tobias Meyer", "Patient Experience Lead", "hh-cdo"),
        ("hh-digital-pm", "Chloé Martin", "Digital Product Manager", "hh-cdo"),
        ("hh-data-arch", "Emeka Nwachukwu", "Data Architect", "hh-cio"),
        ("hh-bi", "Laura Schmidt", "Head of Analytics & BI", "hh-cio"),
        ("hh-dba", "Igor Smirnov", "Database Administration Lead", "hh-infra"),
        ("hh-sched-sup", "Grace Liu", "Scheduling Supervisor, Outpatient Clinics", "hh-dir-access"),
        ("hh-sched-or", "Diego Alvarez", "Theatre Scheduling Coordinator", "hh-dir-access"),
        ("hh-nm-cardio", "Helen O'Connor", "Nurse Manager, Cardiology", "hh-dir-nursing"),
        ("hh-nm-onc", "Samira Haddad", "Nurse Manager, Oncology", "hh-dir-nursing"),
        ("hh-nm-ed", "Thomas Becker", "Nurse Manager, Emergency Department", "hh-dir-nursing"),
        ("hh-rad-lead", "Dr. Kwame Mensah", "Physician Lead, Radiology", "hh-vp-clinops"),
        ("hh-surg-lead", "Dr. Ingrid Halvorsen", "Physician Lead, Surgery", "hh-vp-clinops"),
        ("hh-call-ctr", "Maria Santos", "Contact Centre Manager", "hh-dir-access"),
        ("hh-ehr-analyst", "Ethan Brooks", "EHR Integration Analyst", "hh-clin-apps"),
        ("hh-trainer", "Fiona Campbell", "Clinical Systems Trainer", "hh-clin-apps"),
        ("hh-pmo", "Raj Patel", "Transformation Programme Manager", "hh-cfo"),
    ),
    influences=(
        ("hh-vp-clinops", "hh-cmo", 0.8),
        ("hh-cno", "hh-cmo", 0.6),
        ("hh-surg-lead", "hh-cmo", 0.5),
        ("hh-rad-lead", "hh-cmo", 0.4),
        ("hh-cfo", "hh-cmo", 0.4),
        ("hh-ea-cmo", "hh-cmo", 0.2),
        ("hh-dir-access", "hh-vp-clinops", 0.7),
        ("hh-dir-nursing", "hh-cno", 0.7),
        ("hh-nm-cardio", "hh-dir-nursing", 0.4),
        ("hh-nm-onc", "hh-dir-nursing", 0.4),
        ("hh-nm-ed", "hh-dir-nursing", 0.5),
        ("hh-sched-sup", "hh-dir-access", 0.6),
        ("hh-sched-or", "hh-dir-access", 0.4),
        ("hh-call-ctr", "hh-dir-access", 0.4),
        ("hh-clin-apps", "hh-cio", 0.7),
        ("hh-ehr-analyst", "hh-clin-apps", 0.5),
        ("hh-trainer", "hh-clin-apps", 0.3),
        ("hh-ciso", "hh-cio", 0.6),
        ("hh-ciso", "hh-cdo", 0.5),
        ("hh-infra", "hh-cio", 0.5),
        ("hh-data-arch", "hh-cio", 0.5),
        ("hh-bi", "hh-cio", 0.6),
        ("hh-dba", "hh-infra", 0.5),
        ("hh-sourcing", "hh-cfo", 0.6),
        ("hh-finbp", "hh-cfo", 0.5),
        ("hh-pmo", "hh-cfo", 0.4),
        ("hh-pmo", "hh-vp-clinops", 0.3),  # ran the last scheduling project together
        ("hh-px", "hh-cdo", 0.7),
        ("hh-digital-pm", "hh-cdo", 0.6),
        ("hh-cio", "hh-cdo", 0.4),
        ("hh-legal", "hh-cfo", 0.3),
        ("hh-dir-access", "hh-dir-nursing", 0.3),
        ("hh-clin-apps", "hh-dir-access", 0.3),
        ("hh-bi", "hh-dir-access", 0.3),  # her no-show analysis started the project
        ("hh-infra", "hh-ciso", 0.3),
    ),
)

_BRIGHTWATER = _AccountSpec(
    account=Account(id="acc-brightwater", name="Brightwater Energy", tier=Tier.partner),
    domain="brightwater-energy.example",
    people=(
        ("bw-ceo", "Thomas Reinholt", "Chief Executive Officer", None),
        ("bw-coo", "Lena Fischer", "Chief Operating Officer", "bw-ceo"),
        ("bw-cfo", "David Kimura", "Chief Financial Officer", "bw-ceo"),
        ("bw-cto", "Rachel Adler", "Chief Technology Officer", "bw-ceo"),
        ("bw-vp-grid", "Omar Siddiqui", "VP Grid Operations", "bw-coo"),
        ("bw-vp-field", "Isabel Moreno", "VP Field Services", "bw-coo"),
        ("bw-analytics", "Jonas Eriksson", "Director of Grid Analytics", "bw-cto"),
        ("bw-scada", "Frank Müller", "SCADA Systems Manager", "bw-vp-grid"),
        ("bw-itsec", "Mei Lin", "IT Security Architect", "bw-cto"),
        ("bw-procure", "George Papadopoulos", "Procurement Manager", "bw-cfo"),
        ("bw-control", "Natalie Brooks", "Control Room Supervisor", "bw-vp-grid"),
        ("bw-assets", "Hugo Martens", "Asset Management Lead", "bw-vp-grid"),
        ("bw-datasci", "Zainab Yusuf", "Lead Data Scientist", "bw-analytics"),
        ("bw-field-ops", "Ryan Callahan", "Field Operations Manager", "bw-vp-field"),
        ("bw-dispatch", "Elif Yıldız", "Dispatch Coordinator", "bw-field-ops"),
        ("bw-tech-lead", "Connor Walsh", "Field Technician Lead", "bw-field-ops"),
        ("bw-training", "Amelia Hughes", "Training & Enablement Manager", "bw-vp-field"),
        ("bw-ea-coo", "Sanne de Vries", "Executive Assistant to the COO", "bw-coo"),
    ),
    influences=(
        ("bw-scada", "bw-vp-grid", 0.9),  # twelve years running the incumbent system
        ("bw-control", "bw-vp-grid", 0.5),
        ("bw-assets", "bw-vp-grid", 0.4),
        ("bw-scada", "bw-control", 0.6),
        ("bw-analytics", "bw-cto", 0.7),
        ("bw-datasci", "bw-analytics", 0.6),
        ("bw-itsec", "bw-cto", 0.5),
        ("bw-cto", "bw-vp-grid", 0.4),
        ("bw-coo", "bw-vp-grid", 0.6),
        ("bw-procure", "bw-cfo", 0.5),
        ("bw-analytics", "bw-assets", 0.3),
        ("bw-field-ops", "bw-vp-field", 0.7),
        ("bw-dispatch", "bw-field-ops", 0.5),
        ("bw-tech-lead", "bw-field-ops", 0.6),
        ("bw-training", "bw-vp-field", 0.4),
        ("bw-ea-coo", "bw-coo", 0.3),
    ),
)

_ACCOUNTS = (_NORTHWIND, _HELIOS, _BRIGHTWATER)


# --------------------------------------------------------------------------- deals


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

_DEALS: tuple[DealScenario, ...] = (
    DealScenario(
        deal=Deal(
            id="nw-telematics",
            account_id="acc-northwind",
            name="Fleet telematics platform",
            owner_email=_SOFIA,
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
        team=(_SOFIA, _SE),
    ),
    DealScenario(
        deal=Deal(
            id="nw-robotics",
            account_id="acc-northwind",
            name="Warehouse robotics pilot",
            owner_email=_SOFIA,
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
        next_step_day=6,
        team=(_SOFIA, _SE),
    ),
    DealScenario(
        deal=Deal(
            id="nw-customs",
            account_id="acc-northwind",
            name="Customs data integration",
            owner_email=_LUKAS,
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
        team=(_LUKAS,),
    ),
    DealScenario(
        deal=Deal(
            id="hh-scheduling",
            account_id="acc-helios",
            name="Enterprise clinical scheduling suite",
            owner_email=_JAMES,
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
        team=(_JAMES, _SE),
    ),
    DealScenario(
        deal=Deal(
            id="hh-portal",
            account_id="acc-helios",
            name="Patient portal renewal",
            owner_email=_JAMES,
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
        next_step_day=4,
        team=(_JAMES,),
    ),
    DealScenario(
        deal=Deal(
            id="hh-warehouse",
            account_id="acc-helios",
            name="Clinical data warehouse migration",
            owner_email=_JAMES,
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
        team=(_JAMES, _SE),
    ),
    DealScenario(
        deal=Deal(
            id="bw-grid",
            account_id="acc-brightwater",
            name="Grid analytics rollout",
            owner_email=_AMARA,
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
        next_step_day=5,
        team=(_AMARA, _SE),
    ),
    DealScenario(
        deal=Deal(
            id="bw-field",
            account_id="acc-brightwater",
            name="Field service mobility",
            owner_email=_AMARA,
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
        team=(_AMARA,),
    ),
)


def demo_scenarios() -> tuple[DealScenario, ...]:
    """The eight deal stories, in the order the demo prints them."""
    return _DEALS


# --------------------------------------------------------------------------- building


def _email_for(name: str, domain: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"^Dr\.\s+", "", plain)
    parts = [re.sub(r"[^a-z]", "", p.lower()) for p in plain.split()]
    parts = [p for p in parts if p]
    return f"{parts[0]}.{parts[-1]}@{domain}"


_VERBS = {
    Channel.meeting: ("Workshop on", "On-site meeting about", "Review of"),
    Channel.call: ("Call about", "Follow-up call on", "Check-in call on"),
    Channel.email: ("Sent material on", "E-mail follow-up on", "Shared notes on"),
}


def _interactions(
    scenario: DealScenario, anchor: datetime, names: dict[str, str]
) -> list[Interaction]:
    # A string seed is hashed the same way in every process, unlike hash().
    rng = random.Random(f"graphsvc-demo:{scenario.deal.id}")
    planned: list[tuple[datetime, Channel, tuple[str, ...], str]] = []
    day = scenario.first_contact_day + rng.randint(1, 5)
    while day <= scenario.last_contact_day:
        size = min(len(scenario.reach), rng.choice((1, 1, 2, 2, 3)))
        people = tuple(sorted(rng.sample(scenario.reach, size)))
        channel = rng.choice((Channel.meeting, Channel.call, Channel.call, Channel.email))
        topic = rng.choice(scenario.topics)
        summary = f"{rng.choice(_VERBS[channel])} {topic} with " + ", ".join(
            names[p] for p in people
        )
        at = anchor + timedelta(days=day, hours=rng.choice((9, 10, 11, 14, 15, 16)))
        planned.append((at, channel, people, summary))
        day += max(2, scenario.cadence_days + rng.randint(-3, 3))
    for offset, channel, people, summary in scenario.meetings:
        planned.append((anchor + timedelta(days=offset, hours=13), channel, people, summary))
    planned.sort(key=lambda item: item[0])

    result: list[Interaction] = []
    for number, (at, channel, people, summary) in enumerate(planned, start=1):
        last = number == len(planned)
        next_step = (
            anchor + timedelta(days=scenario.next_step_day, hours=10)
            if last
            else at + timedelta(days=7)
        )
        team = list(scenario.team[:1])
        if channel == Channel.meeting:
            team = list(scenario.team)
        result.append(
            Interaction(
                id=f"{scenario.deal.id}-{number:03d}",
                deal_id=scenario.deal.id,
                at=at,
                channel=channel,
                stakeholder_ids=list(people),
                team_member_emails=team,
                summary=summary,
                next_step_at=next_step,
            )
        )
    return result


def demo_portfolio(now: datetime | None = None) -> Bundle:
    """The whole demo portfolio as one :class:`Bundle`, its instants hung from
    :func:`demo_anchor` of ``now``.

    Examples
    --------
    >>> bundle = demo_portfolio(datetime(2026, 11, 26, tzinfo=UTC))
    >>> len(bundle.accounts), len(bundle.deals)
    (3, 8)
    >>> bundle == demo_portfolio(datetime(2026, 11, 29, tzinfo=UTC))
    True
    """
    anchor = demo_anchor(now)
    book = ExampleBuilder(workspace=DEMO_WORKSPACE)
    names: dict[str, str] = {}
    start = anchor - timedelta(days=_HISTORY_DAYS)
    for spec in _ACCOUNTS:
        book.account(spec.account.id, spec.account.name, tier=spec.account.tier)
        for sid, name, title, manager in spec.people:
            names[sid] = name
            book.person(
                sid,
                name,
                title=title,
                email=_email_for(name, spec.domain),
                account_id=spec.account.id,
            )
            if manager is not None:
                book.reports_to(sid, manager, at=start)
        for src, dst, strength in spec.influences:
            book.influences(src, dst, strength, at=start)
    for email, name in _TEAM.items():
        book.team_member(email, name)

    for scenario in _DEALS:
        close = (anchor + timedelta(days=75)).date()
        deal = book.add_deal(
            scenario.deal.model_copy(update={"close_date": date(close.year, close.month, 1)})
        )
        for seat in scenario.seats:
            for day, stance, ally in seat.timeline:
                deal.seat(
                    seat.stakeholder_id,
                    seat.role,
                    at=anchor + timedelta(days=day),
                    stance=stance,
                    ally=ally,
                    rating=seat.rating,
                )
        for contact in _interactions(scenario, anchor, names):
            deal.met(
                *contact.stakeholder_ids,
                at=contact.at,
                channel=contact.channel,
                team=contact.team_member_emails,
                summary=contact.summary,
                next_step_at=contact.next_step_at,
                interaction_id=contact.id,
            )
    return book.bundle()
