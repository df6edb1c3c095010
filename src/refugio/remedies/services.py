"""Remedies for removal orders: services."""
