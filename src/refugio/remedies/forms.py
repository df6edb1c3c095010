"""Remedies for removal orders: forms."""
