"""Rapid response: the JSON API."""

from ninja import Router

router = Router(tags=["rapidresponse"])
