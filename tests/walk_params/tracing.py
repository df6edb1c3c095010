"""Tracing requests and candidates for the disclosure walk: each side's own, and another's."""

from typing import Any

from refugio.tracing.models import TracingCandidate, TracingRequest
from refugio.tracing.selectors import found_candidates, held_candidates, visible_requests


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:
    mine = visible_requests(user)
    request = mine.first()
    other = TracingRequest.objects.exclude(id__in=mine.values("id")).first()
    if request:
        own["request_id"] = request.id
    if other:
        foreign["request_id"] = other.id
    visible = found_candidates(user) | held_candidates(user)
    held = held_candidates(user).first()
    if held:
        own["candidate_id"] = held.id
    unseen = TracingCandidate.objects.exclude(id__in=visible.values("id")).first()
    if unseen:
        foreign["candidate_id"] = unseen.id
    own["step"] = "confirm"
    foreign["step"] = "confirm"
