"""Gateway settings, read from the environment once per process."""
import os
from dataclasses import dataclass, field

SERVICES = ("leads", "deals", "scheduling", "notify", "reports")


def _sites(raw: str) -> dict[str, str]:
    """`site-a=secret1,site-b=secret2` -> {site: secret}; the secret signs that site's forms."""
    sites = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        site, _, secret = item.partition("=")
        if not secret:
            raise ValueError(f"CRM_FORM_SITES entry without a secret: {site}")
        sites[site] = secret
    return sites


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    database_url: str = "postgresql+psycopg2://postgres@127.0.0.1:5432/crm_gateway"
    host: str = "127.0.0.1"
    port: int = 8080
    rpc_timeout: float = 10.0
    token_ttl_hours: int = 12
    max_body_bytes: int = 1024 * 1024
    form_sites: dict[str, str] = field(default_factory=dict)
    # What the providers call: webhook signatures cover the public URL, not the internal one.
    public_url: str = "http://127.0.0.1:8080"
    twilio_auth_token: str = ""
    pbx_secret: str = ""
    # Telegram sends a bot's secret_token (given to setWebhook) with every update; each bot has its own.
    telegram_client_bot_secret: str = ""
    telegram_staff_bot_secret: str = ""
    email_secret: str = ""
    services: tuple[str, ...] = SERVICES
    # RabbitMQ's management API with its credentials (`http://user:password@rabbitmq:15672`):
    # queue facts and rates for the ops dashboard. Empty: queue facts from the broker over AMQP.
    rabbitmq_management_url: str = ""
    # A long-lived bearer token for a Prometheus scraper of /api/v1/metrics; empty: admins only.
    metrics_token: str = ""

    @classmethod
    def from_env(cls, env=os.environ) -> "Settings":
        return cls(
            amqp_uri=env.get("AMQP_URI", cls.amqp_uri),
            database_url=env.get("GATEWAY_DATABASE_URL", cls.database_url),
            host=env.get("GATEWAY_HOST", cls.host),
            port=int(env.get("GATEWAY_PORT", cls.port)),
            rpc_timeout=float(env.get("GATEWAY_RPC_TIMEOUT", cls.rpc_timeout)),
            token_ttl_hours=int(env.get("GATEWAY_TOKEN_TTL_HOURS", cls.token_ttl_hours)),
            max_body_bytes=int(env.get("GATEWAY_MAX_BODY_BYTES", cls.max_body_bytes)),
            form_sites=_sites(env.get("CRM_FORM_SITES", "")),
            public_url=env.get("GATEWAY_PUBLIC_URL", cls.public_url).rstrip("/"),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            pbx_secret=env.get("CRM_PBX_SECRET", ""),
            telegram_client_bot_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_staff_bot_secret=env.get("TELEGRAM_STAFF_WEBHOOK_SECRET", ""),
            email_secret=env.get("CRM_EMAIL_WEBHOOK_SECRET", ""),
            rabbitmq_management_url=env.get("RABBITMQ_MANAGEMENT_URL", ""),
            metrics_token=env.get("GATEWAY_METRICS_TOKEN", ""),
        )
