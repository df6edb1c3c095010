"""Community case management: the JSON API."""

from ninja import Router

router = Router(tags=["casemanagement"])
