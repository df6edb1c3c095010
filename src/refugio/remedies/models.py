"""Remedies for removal orders: models."""
