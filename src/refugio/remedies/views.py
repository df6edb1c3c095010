"""Remedies for removal orders: views."""
