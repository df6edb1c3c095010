"""Obligations calendar: the JSON API."""

from ninja import Router

router = Router(tags=["obligations"])
