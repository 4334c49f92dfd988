"""The words the seeded portfolio is written with: names, companies, titles, summaries.

The generator draws from these lists with its seeded random generator, so their order
is part of the data: reordering or extending a list changes every portfolio (the pinned
digests of ``tests/test_synth.py`` say so).
"""

from __future__ import annotations

from graphsvc.domain.models import Role, Stance

# from the most hostile to the most supportive: a stance moves one step along it
STANCE_ORDER = [Stance.blocker, Stance.skeptic, Stance.neutral, Stance.supporter, Stance.champion]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomoko",
    "Uma",
    "Viktor",
    "Wei",
    "Xavier",
    "Yara",
    "Zoe",
]
LAST_NAMES = [
    "Almeida",
    "Bauer",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Li",
    "Müller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Virtanen",
    "Wang",
    "Yilmaz",
    "Zhang",
]
COMPANY_NAMES = [
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Acme",
    "Gringotts",
]
COMPANY_SECTORS = [
    "Logistics",
    "Health",
    "Bank",
    "Energy",
    "Retail",
    "Foods",
    "Telecom",
    "Insurance",
    "Motors",
    "Pharma",
    "Airlines",
    "Steel",
]
PRODUCTS = [
    "Platform",
    "Analytics",
    "Data Center",
    "CRM Rollout",
    "Security Suite",
    "Cloud Migration",
    "Field Service",
    "Payments",
    "Supply Chain",
]
STAGES = ["Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closing"]
HEAD_TITLES = ["CEO", "CFO", "COO", "CIO", "Managing Director"]
MANAGER_TITLES = [
    "VP Operations",
    "Head of IT",
    "Procurement Director",
    "VP Finance",
    "Head of Security",
    "Director of Engineering",
    "Head of Sales Ops",
]
STAFF_TITLES = [
    "IT Manager",
    "Buyer",
    "Solution Architect",
    "Analyst",
    "Team Lead",
    "Executive Assistant",
    "Project Manager",
    "Controller",
    "Engineer",
]
INTERACTION_SUMMARIES = [
    "Discovery call on current pains",
    "Demo for the evaluation team",
    "Pricing discussion",
    "Security review follow-up",
    "Reference call set up",
    "Executive briefing",
    "Workshop on requirements",
    "Contract redlines",
    "Check-in on timeline",
    "Technical deep dive",
]
WORKING_ROLES = [
    Role.evaluator,
    Role.technical_buyer,
    Role.business_user,
    Role.influencer,
    Role.gatekeeper,
    Role.other,
    Role.evaluator,
    Role.business_user,
    Role.influencer,
]
