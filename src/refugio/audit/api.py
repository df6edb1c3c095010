"""An org admin reads the audit trail of their organisation's data."""

from __future__ import annotations

from typing import Any

from ninja import Field, Query, Router, Schema

from refugio.api_types import AuditActionCode, TZDatetime
from refugio.audit.selectors import visible_audit_events
from refugio.core.api import ERRORS
from refugio.core.http import AuthedRequest

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    occurred_at: TZDatetime
    actor_name: str
    organisation_id: int | None
    action: AuditActionCode
    object_type: str
    object_id: str
    fields: list[str]
    channel: str
    ip_address: str | None
    hash: str


class AuditPage(Schema):
    items: list[AuditEventOut]
    page: int
    page_size: int


class AuditQuery(Schema):
    # Ids are UUIDs, numbers or short codes; anything else (a NUL byte, say) is a 422, never a 500.
    object_id: str = Field("", max_length=64, pattern=r"^[\w.:@/-]*$")
    page: int = Field(1, ge=1, le=1_000_000)  # bounded: a larger offset overflows the database's integer
    page_size: int = Field(100, ge=1, le=500)


@router.get("/audit", response={200: AuditPage, **ERRORS})
def audit_events(request: AuthedRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    events = visible_audit_events(request.auth)
    if query.object_id:
        events = events.filter(object_id=query.object_id)
    start = (query.page - 1) * query.page_size
    return {"items": list(events[start : start + query.page_size]), "page": query.page, "page_size": query.page_size}
