"""Ids for the disclosure walk: outreach (a page per outreach), case plans and hearings (POST-only routes)."""

from __future__ import annotations

import uuid
from typing import Any

from refugio.accounts.rules import Verb
from refugio.casemanagement.models import Outreach
from refugio.casemanagement.selectors import visible_outreach


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:  # noqa: ANN401
    mine = visible_outreach(user, Verb.WRITE).order_by("id").first()
    if mine is not None:
        own["outreach_id"] = mine.id
    readable = visible_outreach(user).values("id")
    other = Outreach.objects.exclude(id__in=readable).order_by("id").first()
    foreign["outreach_id"] = other.id if other is not None else 10**9
    # Reassigning a plan and recording a hearing's outcome take POST only: any id will do for a GET.
    own["case_plan_id"] = 1
    own.setdefault("hearing_id", uuid.uuid4())
