"""Who is in the demo: our own account team, and the three customer accounts with
their people, reporting lines and influence lines.

This is story data, not code: the ids are fixed (loading twice duplicates nothing) and
the names, titles and ties are written to make each deal's story read true.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.domain.models import Account, Tier

# --------------------------------------------------------------------------- our team

TEAM: dict[str, str] = {
    "sofia.marin@acme-analytics.example": "Sofia Marín",
    "james.whitfield@acme-analytics.example": "James Whitfield",
    "amara.nwosu@acme-analytics.example": "Amara Nwosu",
    "lukas.berg@acme-analytics.example": "Lukas Berg",
    "priya.nair@acme-analytics.example": "Priya Nair",  # solution engineer on several deals
}
SOLUTION_ENGINEER = "priya.nair@acme-analytics.example"
SOFIA = "sofia.marin@acme-analytics.example"
JAMES = "james.whitfield@acme-analytics.example"
AMARA = "amara.nwosu@acme-analytics.example"
LUKAS = "lukas.berg@acme-analytics.example"


# --------------------------------------------------------------------------- accounts

# (id, name, title, manager id)
PersonRow = tuple[str, str, str, str | None]


@dataclass(frozen=True)
class AccountSpec:
    account: Account
    domain: str
    people: tuple[PersonRow, ...]
    # (source, target, strength): source sways target; formal and informal ties
    influences: tuple[tuple[str, str, float], ...]


NORTHWIND = AccountSpec(
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

HELIOS = AccountSpec(
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

BRIGHTWATER = AccountSpec(
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

ACCOUNTS = (NORTHWIND, HELIOS, BRIGHTWATER)
