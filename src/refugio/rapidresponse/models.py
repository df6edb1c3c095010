"""Rapid response: models."""
