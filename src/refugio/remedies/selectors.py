"""Remedies for removal orders: selectors."""
