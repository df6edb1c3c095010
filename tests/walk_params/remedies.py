"""Ids for the disclosure walk: removal orders, motions to reopen and MPP cases the user may see (own) and
of other organisations (foreign)."""

from __future__ import annotations

from typing import Any


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:
    from refugio.remedies.models import MotionToReopen, MPPCase, RemovalOrder
    from refugio.remedies.selectors import visible_motions, visible_mpp_cases, visible_orders

    kinds: tuple[tuple[str, Any, Any], ...] = (
        ("removal_order_id", RemovalOrder, visible_orders),
        ("reopen_motion_id", MotionToReopen, visible_motions),
        ("mpp_case_id", MPPCase, visible_mpp_cases),
    )
    for name, model, visible in kinds:
        seen = visible(user)
        mine = seen.order_by("id").first()
        theirs = model.objects.exclude(id__in=seen.values("id")).order_by("id").first()
        if mine is not None:
            own[name] = mine.id
        if theirs is not None:
            foreign[name] = theirs.id
