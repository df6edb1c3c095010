"""Rapid response: demo data for `refugio demo`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation


def load_rapidresponse_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Nothing yet."""
