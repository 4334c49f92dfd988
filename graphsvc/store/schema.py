"""The graph's fixed vocabulary and its indexes, as data.

Node labels come only from :class:`NodeLabel` (never from input); relationship types
are named only in ``queries/*.cypher``, never in Python::

    (:Deal)-[:FOR_ACCOUNT]->(:Account)
    (:Stakeholder)-[:WORKS_AT]->(:Account)
    (:Stakeholder)-[:MEMBER_FACT {at, seq, ...}]->(:Deal)
    (:Stakeholder)-[:INFLUENCE_FACT {...}]->(:Stakeholder)
    (:Stakeholder)-[:REPORTS_FACT {...}]->(manager:Stakeholder)
    (:Stakeholder)-[:ADVICE_INPUT]->(:DealAdvice)  (a person a deal's kept advice read)

The runners turn :data:`INDEXES` and :data:`UNIQUE_KEYS` into each backend's own DDL
(FalkorDB: ``CREATE INDEX`` + ``GRAPH.CONSTRAINT``; Neo4j 5: ``CREATE INDEX ... IF NOT
EXISTS`` / ``CREATE CONSTRAINT ... IS UNIQUE``). See ``repository.py`` for the model.
"""

from __future__ import annotations

from enum import StrEnum


class NodeLabel(StrEnum):
    workspace = "Workspace"  # one per workspace: the write revision counter
    account = "Account"
    deal = "Deal"
    stakeholder = "Stakeholder"
    team_member = "TeamMember"
    interaction = "Interaction"
    api_key = "ApiKey"  # graphsvc/keys: an API key by its sha256 (not per workspace)
    alert_email = "AlertEmail"  # graphsvc/alerts: the ledger, one per e-mail and week
    alert_deal_flags = "AlertDealFlags"  # graphsvc/alerts: a sent e-mail's flags per deal
    # graphsvc/users and graphsvc/web: people who sign in, and what the web app keeps.
    web_user = "WebUser"  # by e-mail, roles per workspace (not per workspace itself)
    web_session = "WebSession"  # by the sha256 of the cookie value
    web_signin_link = "WebSignInLink"  # one-time sign-in links, by sha256
    login_throttle = "LoginThrottle"  # failed sign-ins per account / per address
    rate_bucket = "RateBucket"  # api/ratelimit: a token bucket shared by API processes
    web_change = "WebChange"  # a deal's change log, as made on the deal page
    web_map_layout = "WebMapLayout"  # a deal's chosen layout and dragged positions
    idempotency_key = "IdempotencyKey"  # store/idempotency: a POST's key and its response
    tombstone = "Tombstone"  # store/changes: a deleted record, for the changes feed
    deal_result = "DealResult"  # graphsvc/analysis/results: a deal's kept analysis result
    deal_advice = "DealAdvice"  # graphsvc/analysis/kept_advice: a deal's kept advice
    note = "Note"  # store/notes: a dated note on a person of a deal, with its author
    # graphsvc/webhooks: subscriptions, the outbox and its delivery log.
    webhook = "Webhook"  # a subscription, by workspace + id
    webhook_event = "WebhookEvent"  # an event, by its (deterministic) id
    webhook_delivery = "WebhookDelivery"  # an event to send to one subscription
    webhook_attempt = "WebhookAttempt"  # one try of a delivery: the delivery log
    webhook_deal_state = "WebhookDealState"  # what was last evented of a deal
    webhook_workspace = "WebhookWorkspace"  # a workspace's evented states are recorded
    webhook_lease = "WebhookLease"  # which process delivers
    webhook_import = "WebhookImport"  # an import under way: its event is never lost


# Lookups go by ``key``: the workspace and the id in one string (see
# ``repository.node_key``). A pattern naming two indexed properties makes FalkorDB
# intersect both index terms, and the ``ws`` term grows with the workspace, so no query
# puts ``ws`` next to ``key``; ``ws`` is indexed only where a whole workspace is scanned.
INDEXES: list[tuple[str, str]] = [
    (NodeLabel.deal.value, "ws"),  # list_deals, the fleet scan
    (NodeLabel.interaction.value, "ws"),  # removing a deleted stakeholder's id
    (NodeLabel.interaction.value, "deal_key"),  # a deal's interactions
    (NodeLabel.alert_email.value, "ws"),  # each owner's previous e-mail
    (NodeLabel.alert_email.value, "week_key"),  # the ledger of one week
    (NodeLabel.alert_deal_flags.value, "email_key"),  # the deals of one sent e-mail
    (NodeLabel.stakeholder.value, "ws"),  # the deal page's person search
    (NodeLabel.web_session.value, "email"),  # signing a user out everywhere
    (NodeLabel.web_change.value, "deal_key"),  # a deal's change log
    (NodeLabel.note.value, "deal_key"),  # a deal's notes
    (NodeLabel.note.value, "stakeholder_id"),  # a person's notes (export, erasure)
    (NodeLabel.idempotency_key.value, "expires_at"),  # purging expired keys
    # The changes feed scans a workspace's records of each kind.
    (NodeLabel.account.value, "ws"),
    (NodeLabel.tombstone.value, "ws"),
    (NodeLabel.note.value, "ws"),
    (NodeLabel.webhook.value, "ws"),  # a workspace's subscriptions
    (NodeLabel.webhook_delivery.value, "pending_ws"),  # what is left to deliver
    (NodeLabel.webhook_attempt.value, "webhook_key"),  # a subscription's delivery log
    (NodeLabel.webhook_deal_state.value, "ws"),  # the evented states of a workspace
    (NodeLabel.webhook_delivery.value, "done_at"),  # the retention purge
    (NodeLabel.webhook_delivery.value, "event_id"),  # whether an event is still wanted
    (NodeLabel.webhook_event.value, "created"),  # the retention purge
]

# Natural keys, unique per workspace: ``key`` = workspace + U+001F + id (or e-mail).
UNIQUE_KEYS: list[tuple[str, tuple[str, ...]]] = [
    (NodeLabel.workspace.value, ("ws",)),
    (NodeLabel.account.value, ("key",)),
    (NodeLabel.deal.value, ("key",)),
    (NodeLabel.stakeholder.value, ("key",)),
    (NodeLabel.team_member.value, ("key",)),
    (NodeLabel.interaction.value, ("key",)),
    (NodeLabel.api_key.value, ("hash",)),  # every authenticated request looks one up
    (NodeLabel.api_key.value, ("id",)),
    (NodeLabel.alert_email.value, ("key",)),
    (NodeLabel.alert_deal_flags.value, ("key",)),
    (NodeLabel.web_user.value, ("email",)),
    (NodeLabel.web_session.value, ("hash",)),
    (NodeLabel.web_signin_link.value, ("hash",)),
    (NodeLabel.login_throttle.value, ("key",)),
    (NodeLabel.rate_bucket.value, ("key",)),  # every API request takes from one
    (NodeLabel.web_change.value, ("key",)),
    (NodeLabel.web_map_layout.value, ("key",)),
    (NodeLabel.idempotency_key.value, ("key",)),
    (NodeLabel.tombstone.value, ("key",)),
    (NodeLabel.deal_result.value, ("key",)),  # the deal's key: one kept result per deal
    (NodeLabel.deal_advice.value, ("key",)),  # the deal's key: one kept advice per deal
    (NodeLabel.note.value, ("key",)),
    (NodeLabel.webhook.value, ("key",)),
    (NodeLabel.webhook_event.value, ("key",)),
    (NodeLabel.webhook_delivery.value, ("key",)),
    (NodeLabel.webhook_attempt.value, ("key",)),
    (NodeLabel.webhook_deal_state.value, ("key",)),
    (NodeLabel.webhook_workspace.value, ("ws",)),
    (NodeLabel.webhook_lease.value, ("name",)),
    (NodeLabel.webhook_import.value, ("key",)),
]
