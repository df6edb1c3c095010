"""Legal deadlines in templates, so pages show the rule from legal.deadlines without copying it."""

from __future__ import annotations

import datetime as dt

from django import template

from refugio.legal.deadlines import asylum_filing_deadline as _filing_deadline

register = template.Library()


@register.filter
def asylum_filing_deadline(arrival: dt.date | None) -> dt.date | None:
    return _filing_deadline(arrival) if arrival else None
