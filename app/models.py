"""Import every model so Alembic and tests see the whole metadata."""

from app.audit.models import AuditEntry
from app.auth.models import ApiKey
from app.enterprises.models import Enterprise
from app.imports.models import ImportJob, ImportRowError
from app.institutions.models import Institution
from app.matches.models import IndexChange, MatchResult, MatchRun
from app.needs.models import Need
from app.patents.models import Patent, PatentIpc

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Enterprise",
    "ImportJob",
    "ImportRowError",
    "IndexChange",
    "Institution",
    "MatchResult",
    "MatchRun",
    "Need",
    "Patent",
    "PatentIpc",
]
