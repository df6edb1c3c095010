"""Remedies for removal orders: tasks."""
