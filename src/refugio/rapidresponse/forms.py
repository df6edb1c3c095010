"""Rapid response: forms."""
