"""Remedies for removal orders: the JSON API."""

from ninja import Router

router = Router(tags=["remedies"])
