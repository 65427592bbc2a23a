"""The one settings class. Every knob is an environment variable (prefix ``PANHUO_``)."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'panhuo.db'}"
DATA_DIR = ROOT / "data"  # the reference tables and sample shipped with the code


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PANHUO_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Production sets the conventional DATABASE_URL; PANHUO_DATABASE_URL also works.
    database_url: str = Field(
        default=DEFAULT_SQLITE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "PANHUO_DATABASE_URL"),
    )
    data_dir: Path = DATA_DIR
    # Saved match index (mapped at start-up, then caught up from the change log); None:
    # never saved. index_mmap=false reads the arrays into each worker's memory instead.
    index_dir: Path | None = ROOT / "var" / "index"
    index_mmap: bool = True
    # How long start-up waits for the index before serving (/ready says "starting" until it
    # is there); 0: /health answers at once and the index is mapped or built behind it.
    index_start_wait_seconds: float = 0
    log_level: str = "INFO"
    # Echo SQL for debugging only; it would leak confidential need text into logs.
    sql_echo: bool = False
    max_body_bytes: int = 2_000_000
    # File imports (POST /v1/imports) and JSON bulk writes get larger caps.
    max_upload_bytes: int = 250_000_000
    max_bulk_bytes: int = 25_000_000
    import_dir: Path = ROOT / "var" / "imports"
    # Per API key and process; generous so the portal's batch calls are not throttled.
    rate_limit_per_minute: int = 1200
    # Outbound calls (webhooks) must never hang a worker.
    outbound_timeout_seconds: float = 5.0
    # Feeds and webhooks (app/feeds). The worker runs as a thread in every service process
    # unless turned off here and run as `panhuo worker`; several at once are safe.
    worker_in_process: bool = True
    worker_poll_seconds: float = 1.0
    # Webhook targets in private, loopback or link-local networks are refused unless a
    # network listed here (CIDR, e.g. ["10.20.0.0/16"]) contains them.
    webhook_allow_networks: list[str] = []
    webhook_max_attempts: int = 12  # then the delivery fails and its endpoint is failing
    webhook_retry_base_seconds: float = 30.0  # doubles per attempt, capped at 6 h, jittered
    webhook_concurrency: int = 8  # parallel sends per worker
    feed_need_k: int = 20  # a need follows a new patent only among its k best-matching needs
    # Web console (/console). Its session cookie is signed with this secret; when unset, a
    # random one is kept in var/console-secret (fine for one host; set it for several).
    console_secret: SecretStr | None = None
    console_session_hours: float = 8.0
    # Secure flag of the console cookies; None: set it when the request came over HTTPS.
    console_cookie_secure: bool | None = None

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
