"""Rapid response: services."""
