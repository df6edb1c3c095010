"""Reads of the audit trail: an org admin sees the events about their organisation's data; proofs for partners."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from refugio.accounts.selectors import AUDIT_READ_ROLES, organisation_ids_for
from refugio.audit import merkle
from refugio.audit.models import AuditEvent, TreeHead
from refugio.audit.proof_files import HEAD_FIELDS, consistency_document, inclusion_document
from refugio.audit.services import CONTENT_COLUMNS, canonical_payload, leaf_hashes


def visible_audit_events(user: AbstractBaseUser | AnonymousUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organisation_id__in=organisation_ids_for(user, AUDIT_READ_ROLES)).order_by("-id")


def _latest_head() -> TreeHead:
    head = TreeHead.objects.order_by("-size").first()
    if head is None:
        raise LookupError("no signed tree head yet: run `refugio manage seal_audit` first")
    return head


def _head_fields(head: TreeHead) -> dict[str, Any]:
    return {f: getattr(head, f) for f in HEAD_FIELDS}


def inclusion_proof_document(event_id: int, *, with_event: bool = False) -> dict[str, Any]:
    """A proof that this sealed event is in the latest signed tree (proof_files.check_proof checks it)."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None or event.leaf_index is None:
        raise LookupError(f"event {event_id} does not exist or is not sealed yet")
    head = _latest_head()
    leaves = leaf_hashes(head.size)
    content = canonical_payload(**{c: getattr(event, c) for c in CONTENT_COLUMNS}) if with_event else None
    proof = merkle.inclusion_proof(leaves, event.leaf_index)
    return inclusion_document(_head_fields(head), event.leaf_index, leaves[event.leaf_index], proof, content)


def consistency_proof_document(kept: dict[str, Any]) -> dict[str, Any]:
    """A proof that the latest signed tree extends a head someone kept (export_tree_head's JSON)."""
    head = _latest_head()
    old_size = int(kept["size"])
    if old_size > head.size:
        raise LookupError(f"the kept head covers {old_size} events; the log's latest head {head.size}")
    proof = merkle.consistency_proof(leaf_hashes(head.size), old_size)
    return consistency_document({f: kept[f] for f in HEAD_FIELDS}, _head_fields(head), proof)
