"""Obligations calendar: models."""
