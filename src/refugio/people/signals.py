"""What the people domain tells the domains above it, without importing them.

`household_changed` is sent by people/services.py after every write that can change what is derived from
a household (its members, their ages and vulnerabilities, whether a vulnerability is confirmed), inside the
write's transaction, with `household_id`. Receivers run in that transaction: what they store commits or
rolls back with the write. Triage connects to it (triage/apps.py) to rescore the household."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

household_changed = Signal()  # keyword argument: household_id


def send_household_changed(household_id: Any) -> None:  # noqa: ANN401
    household_changed.send(sender=None, household_id=household_id)
