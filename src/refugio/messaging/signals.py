"""Signals other apps listen to. `inbound_received` is sent once a text someone sent us is stored (not for a
provider's retry of the same message), with `inbound` (the InboundMessage; its household is set only when the
number matched exactly one household). Receivers must not raise: the webhook has already stored the text."""

from __future__ import annotations

from django.dispatch import Signal

inbound_received = Signal()
