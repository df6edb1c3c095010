"""Ids for the disclosure walk: detention alerts, stay requests, on-call shifts (ending one takes POST only)."""

from __future__ import annotations

from typing import Any

from refugio.rapidresponse.models import DetentionAlert, StayRequest
from refugio.rapidresponse.selectors import visible_alerts


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:  # noqa: ANN401
    readable = visible_alerts(user)
    mine = readable.order_by("created_at").first()
    if mine is not None:
        own["alert_id"] = mine.id
    other = DetentionAlert.objects.exclude(id__in=readable.values("id")).order_by("created_at").first()
    if other is not None:
        foreign["alert_id"] = other.id
    stay = StayRequest.objects.filter(alert__in=readable).order_by("drafted_at").first()
    if stay is not None:
        own["stay_id"] = stay.id
    foreign_stay = StayRequest.objects.exclude(alert__in=readable).order_by("drafted_at").first()
    if foreign_stay is not None:
        foreign["stay_id"] = foreign_stay.id
    own["shift_id"] = 1  # ending a shift is a POST
    own.setdefault("step", "locate")
