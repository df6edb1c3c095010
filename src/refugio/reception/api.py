"""Reception: shelters, beds and placements: the JSON API."""

from ninja import Router

router = Router(tags=["reception"])
