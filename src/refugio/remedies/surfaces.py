"""Remedies for removal orders: surfaces."""
