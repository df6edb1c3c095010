"""Rapid response: surfaces."""
