"""The development admin key that ``scripts/run`` prints.

It lives in ``var/dev-admin-key`` next to the SQLite database and is honoured only while
the service runs on that default database: with ``DATABASE_URL`` set it is ignored.
"""

import hmac
import secrets

from app.config import DEFAULT_SQLITE_URL, ROOT, Settings

DEV_KEY_PATH = ROOT / "var" / "dev-admin-key"


def dev_key_enabled(settings: Settings) -> bool:
    return settings.database_url == DEFAULT_SQLITE_URL


def ensure_dev_key() -> str:
    if DEV_KEY_PATH.exists():
        return DEV_KEY_PATH.read_text(encoding="ascii").strip()
    DEV_KEY_PATH.parent.mkdir(parents=True, exist_ok=True)
    key = "pk_dev_" + secrets.token_urlsafe(24)
    DEV_KEY_PATH.write_text(key, encoding="ascii")
    DEV_KEY_PATH.chmod(0o600)
    return key


def is_dev_key(settings: Settings, token: str) -> bool:
    if not token.startswith("pk_dev_") or not dev_key_enabled(settings):
        return False
    if not DEV_KEY_PATH.exists():
        return False
    expected = DEV_KEY_PATH.read_text(encoding="ascii").strip()
    return hmac.compare_digest(expected.encode(), token.encode())
