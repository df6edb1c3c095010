"""Reads of the audit trail: an org admin sees the events about their organisation's data."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from refugio.accounts.selectors import AUDIT_READ_ROLES, organisation_ids_for
from refugio.audit.models import AuditEvent


def visible_audit_events(user: AbstractBaseUser | AnonymousUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organisation_id__in=organisation_ids_for(user, AUDIT_READ_ROLES)).order_by("-id")
