"""Obligations calendar: selectors."""
