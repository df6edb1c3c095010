"""Reception ids for the disclosure walk: shelters and stays a user sees, and ones they do not."""

from __future__ import annotations

from typing import Any

from refugio.reception.models import Placement, Shelter
from refugio.reception.selectors import visible_placements, visible_shelters


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:  # noqa: ANN401
    seen = visible_shelters(user)
    shelter = seen.order_by("id").first()
    if shelter is not None:
        own["shelter_id"] = shelter.id
    unseen = Shelter.objects.exclude(id__in=seen.values("id")).order_by("id").first()
    if unseen is not None:
        foreign["shelter_id"] = unseen.id
    stays = visible_placements(user)
    stay = stays.order_by("id").first()
    if stay is not None:
        own["placement_id"] = stay.id
    other = Placement.objects.exclude(id__in=stays.values("id")).order_by("id").first()
    if other is not None:
        foreign["placement_id"] = other.id
    own["action"] = "arrived"
    foreign["action"] = "arrived"
