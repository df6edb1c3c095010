"""An escalation in words: statuses and tiers as their labels, files by their kind, not their codes."""

from __future__ import annotations

from django import template

from refugio.escalations.presentation import category_words, file_kind, status_words, tier_words

register = template.Library()
register.filter("status_words", status_words)
register.filter("tier_words", tier_words)
register.filter("file_kind", file_kind)
register.filter("category_words", category_words)
