"""Rapid response: views."""
