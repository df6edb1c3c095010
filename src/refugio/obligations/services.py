"""Obligations calendar: services."""
