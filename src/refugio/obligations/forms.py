"""Obligations calendar: forms."""
