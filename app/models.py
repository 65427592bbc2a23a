"""Import every model so Alembic and tests see the whole metadata."""

from app.audit.models import AuditEntry
from app.auth.models import ApiKey
from app.changes.models import IndexChange
from app.deals.models import Deal, DealPatent
from app.enterprise_imports.models import EnterpriseImport, EnterpriseImportError
from app.enterprises.models import Enterprise
from app.feedback.models import Feedback
from app.feeds.models import (
    FeedItem,
    FeedToken,
    PatentState,
    ProducerState,
    Subscription,
    WatchEntry,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.imports.models import ImportJob, ImportRowError
from app.institutions.models import Institution
from app.licenses.models import OpenLicense, OpenLicenseAcceptance
from app.matches.models import MatchResult, MatchRun
from app.needs.models import Need
from app.patents.models import Patent, PatentIpc
from app.pushes.models import PushPartition, PushRun

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Deal",
    "DealPatent",
    "Enterprise",
    "EnterpriseImport",
    "EnterpriseImportError",
    "FeedItem",
    "FeedToken",
    "Feedback",
    "ImportJob",
    "ImportRowError",
    "IndexChange",
    "Institution",
    "MatchResult",
    "MatchRun",
    "Need",
    "OpenLicense",
    "OpenLicenseAcceptance",
    "Patent",
    "PatentIpc",
    "PatentState",
    "ProducerState",
    "PushPartition",
    "PushRun",
    "Subscription",
    "WatchEntry",
    "WebhookDelivery",
    "WebhookEndpoint",
]
