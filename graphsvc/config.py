"""Typed settings, read from the environment (and an optional ``.env`` file).

Every setting has a default that works for a local, embedded run; secrets are
``SecretStr`` so they never print. The README's settings table lists them all.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the documented placeholder, refused in production


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class SmtpSecurity(StrEnum):
    none = "none"
    starttls = "starttls"
    ssl = "ssl"


class Settings(BaseSettings):
    """All runtime configuration. Environment variables use the ``GRAPHSVC_`` prefix,
    except the Neo4j ones, which keep the names Neo4j's own tools use."""

    model_config = SettingsConfigDict(
        env_prefix="GRAPHSVC_", env_file=".env", extra="ignore", populate_by_name=True
    )

    environment: Environment = Environment.development
    data_dir: Path = Path("./data")
    log_level: str = "INFO"

    # --- storage ---------------------------------------------------------------------
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr = Field(default=SecretStr(""), validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")
    # How long a Neo4j query retries transient failures (a deadlock between writers, a
    # restarting server) before the request fails with 503.
    neo4j_retry_seconds: float = Field(default=10.0, ge=0)
    # Embedded FalkorDB: the server stops by itself this many seconds after its last
    # client process has gone (see graphsvc/store/embedded.py for the lifetime rule).
    embedded_idle_seconds: float = 30.0
    store_batch_size: int = 2000
    # A cold fleet scan or a rebuild of the kept results of at least
    # scan_processes_min_deals deals reads and decodes the store's replies on this many
    # processes of its own, beside the one that analyses
    # (graphsvc/store/scan_processes.py); 0: everything in the scanning process.
    scan_processes: int = Field(default=2, ge=0, le=16)
    scan_processes_min_deals: int = Field(default=2000, ge=0)

    # --- API -------------------------------------------------------------------------
    max_body_bytes: int = 10 * 1024 * 1024
    max_batch_items: int = 50_000
    analysis_cache_seconds: float = 300.0
    analysis_inline_max: int = Field(
        default=25,
        ge=0,
        description="At most this many deals whose kept analysis is stale are re-analysed "
        "while a request waits; the others are brought up to date in the background and "
        "the answer says how many are pending.",
    )
    analysis_rebuild_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A background rebuild of kept results renews its lease (one process "
        "per workspace) after each batch; a lease not renewed this long is taken over.",
    )
    page_limit_default: int = 50
    page_limit_max: int = 500
    idempotency_ttl_seconds: float = Field(
        default=24 * 3600,
        ge=0,
        description="How long a POST's `Idempotency-Key` and its answer are kept.",
    )
    idempotency_stale_seconds: float = Field(
        default=300,
        gt=0,
        description="A request holding an `Idempotency-Key` this long without finishing "
        "(its process died) lets a retry run it.",
    )
    # Token buckets, per API process.
    rate_limit_per_minute: float = Field(
        default=1200,
        ge=0,
        description="Requests an API key may send a minute (token bucket refill; 0: no "
        "limit). Counted in the store, across every API process.",
    )
    rate_limit_burst: int = Field(
        default=600, ge=1, description="Requests an API key may send at once (bucket size)."
    )
    rate_limit_namespace: str = Field(
        default="graphsvc",
        min_length=1,
        max_length=100,
        description="API processes on one store with the same namespace share their "
        "rate-limit buckets (give each deployment sharing a database its own).",
    )
    auth_failure_limit_per_minute: float = Field(
        default=20,
        ge=0,
        description="Failed authentications a client address may make a minute before "
        "it gets 429 (0: no limit).",
    )
    auth_failure_burst: int = Field(
        default=20, ge=1, description="Failed authentications a client address may make at once."
    )

    # --- CRM imports ----------------------------------------------------------------------
    hubspot_manager_property: str | None = Field(
        default=None,
        max_length=200,
        description="The HubSpot contact property (label or internal name) holding the "
        "Record ID of the contact's manager; HubSpot has no standard one. When set and in "
        "the export, reporting lines are imported from it.",
    )
    hubspot_association_roles: dict[str, str] = Field(
        default_factory=dict,
        description="HubSpot deal-contact association labels mapped to our roles, as JSON "
        '(e.g. {"Billing contact": "Other", "Sponsor": "Executive Sponsor"}), laid over '
        "the built-in table (Decision maker, Budget holder, Champion, Influencer, End "
        "user...). A label in neither is taken as Other, with a warning.",
    )

    # --- deal map links ----------------------------------------------------------------
    map_link_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    # A link that expires as it is made is a dead link: refuse the setting at start.
    map_link_ttl_days: int = Field(default=14, gt=0, le=366)
    public_base_url: str = "http://127.0.0.1:8000"

    # --- web app (graphsvc/web, graphsvc/users) ----------------------------------------
    # A session ends after this long without a request, and this long after sign-in
    # whatever happens; failed sign-ins are throttled per account and per address.
    web_session_idle_minutes: int = Field(default=120, ge=1)
    web_session_absolute_hours: int = Field(default=24 * 7, ge=1)
    web_login_window_minutes: int = Field(default=15, ge=1)
    web_login_max_failures_per_account: int = Field(default=5, ge=1)
    web_login_max_failures_per_address: int = Field(default=30, ge=1)
    web_signin_link_minutes: int = Field(default=60 * 24, ge=1)
    # How often an open deal page asks whether the deal changed (htmx polling).
    web_poll_seconds: float = Field(default=5.0, gt=0)

    # --- analysis ----------------------------------------------------------------------
    weight_authority: float = 0.40
    weight_network: float = 0.35
    weight_rating: float = 0.25
    default_self_weight: float = 0.5
    dm_recent_days: int = 45
    stale_days: int = 30
    trend_weeks: int = 4
    trend_threshold: float = 0.05
    shrinking_high_threshold: float = 0.15
    required_roles: list[str] = Field(
        default_factory=lambda: ["decision_maker", "ally_or_champion", "Executive Sponsor"]
    )

    # --- e-mail ------------------------------------------------------------------------
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: SmtpSecurity = SmtpSecurity.none
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "graphsvc <alerts@localhost>"
    mail_reply_to: str | None = None
    alerts_timezone: str = "UTC"
    alerts_weekday: int = 0  # Monday
    alerts_hour: int = 7
    alerts_opt_out: list[str] = Field(default_factory=list)
    alerts_managers_file: Path | None = None
    # Alerts: which deals count as at risk, how far the chart looks back, how hard the
    # sender retries a transient SMTP failure, and when a dead server stops the run.
    alerts_min_severity: str = "medium"
    alerts_history_weeks: int = Field(default=12, ge=2, le=52)
    alerts_send_attempts: int = Field(default=4, ge=1)
    alerts_retry_wait_seconds: float = Field(default=2.0, ge=0)
    alerts_retry_max_wait_seconds: float = Field(default=60.0, ge=0)
    alerts_max_consecutive_failures: int = Field(default=3, ge=1)
    alerts_catchup_hours: float = Field(default=24.0, ge=0)
    alerts_workspaces: list[str] = Field(default_factory=lambda: ["default"])
    smtp_ca_file: Path | None = None

    # --- webhooks out (graphsvc/webhooks) -------------------------------------------
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow webhook URLs that resolve to loopback, private or link-local "
        "addresses (tests, on-premises receivers).",
    )
    webhook_support_step: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="`deal.support_changed` fires when a deal's support share crosses a "
        "multiple of this step.",
    )
    webhook_worker: bool = Field(
        default=True,
        description="`graphsvc serve` runs the webhook delivery worker (one process of "
        "all those serving the store delivers at a time).",
    )
    webhook_workspaces: list[str] = Field(
        default_factory=list,
        description="The workspaces whose webhooks this server delivers (empty: all).",
    )
    webhook_poll_seconds: float = Field(
        default=10.0, gt=0, description="How often the delivery worker looks for work."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long the delivering process holds the lease without renewing it.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long one delivery may take (connect and answer)."
    )
    webhook_retry_hours: float = Field(
        default=24.0, gt=0, description="How long a failing delivery is retried, then given up."
    )
    webhook_retry_base_seconds: float = Field(
        default=30.0, gt=0, description="The first retry's wait; each next one doubles."
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="The longest wait between two retries."
    )
    webhook_disable_after_days: float = Field(
        default=3.0,
        gt=0,
        description="A subscription failing this long is disabled and its owner told.",
    )
    webhook_retention_days: float = Field(
        default=30.0,
        gt=0,
        description="Delivered and given-up deliveries, their attempts and their events are "
        "purged this long after they ended (pending ones never are).",
    )
    webhook_purge_batch: int = Field(
        default=500,
        ge=1,
        description="At most this many deliveries (and as many events) purged per worker tick.",
    )
    webhook_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="How many subscriptions the worker delivers to at once (each one's "
        "deliveries stay in order per deal).",
    )
    webhook_ca_bundle: Path | None = Field(
        default=None,
        description="A PEM file of the certificate authorities trusted for https webhook "
        "receivers (default: the system's); certificates are always verified.",
    )
    webhook_import_abandoned_minutes: float = Field(
        default=60.0,
        gt=0,
        description="An import still recorded as under way this long after it began has "
        "lost its process: the delivery worker raises its `import.completed` event "
        "(`status: unconfirmed`).",
    )
    webhook_secret_overlap_hours: float = Field(
        default=24.0,
        ge=0,
        le=168,
        description="After a secret rotation, how long the old secret still signs deliveries "
        "(when the call gives no `expires_in`).",
    )

    @model_validator(mode="after")
    def _weights_are_usable(self) -> Settings:
        if min(self.weight_authority, self.weight_network, self.weight_rating) < 0:
            raise ValueError("ranking weights must be >= 0")
        if self.weight_authority + self.weight_network + self.weight_rating <= 0:
            raise ValueError("at least one ranking weight must be > 0")
        return self

    @property
    def uses_neo4j(self) -> bool:
        return bool(self.neo4j_uri)

    def check_production_ready(self) -> None:
        """Refuse to serve outside development with a placeholder signing secret."""
        from graphsvc.errors import ConfigurationError

        secret = self.map_link_secret.get_secret_value()
        if self.environment == Environment.production and (
            secret == PLACEHOLDER_SECRET or len(secret) < 16
        ):
            raise ConfigurationError(
                "GRAPHSVC_MAP_LINK_SECRET is the placeholder or shorter than 16 characters; "
                "set a real secret before running in production"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
