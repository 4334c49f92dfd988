"""Services: the rules of each resource, over the store's repositories.

One module per resource (accounts, deals, stakeholders, committee, lines,
interactions), each a class with keyword-only verbs (``get``, ``upsert``, ``delete``,
``list``; ``record`` and ``end`` for dated facts). A service owns its rules: the
account a deal names must exist, a deleted thing must exist first, ending a membership
or line that is not in effect is a 404. The API's views only translate HTTP to these
calls and back.

They live in a package of their own, between the store and the entry points, rather
than under ``graphsvc/api/``: the CLI and the coming web app call the very same verbs,
so a rule holds however a change arrives. (Bigger domains keep the Polar layout in
their own folder, as :mod:`graphsvc.maps` does.)
"""

from graphsvc.services.accounts import AccountService
from graphsvc.services.committee import CommitteeService
from graphsvc.services.deals import DealService
from graphsvc.services.interactions import InteractionService
from graphsvc.services.lines import LineService
from graphsvc.services.stakeholders import StakeholderService

__all__ = [
    "AccountService",
    "CommitteeService",
    "DealService",
    "InteractionService",
    "LineService",
    "StakeholderService",
]
