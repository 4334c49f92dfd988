"""Webhooks out: signed events about deals and imports, delivered to subscribers' URLs
(subscriptions, the event outbox, the delivery worker and its log)."""
