"""Rapid response: selectors."""
