"""Obligations calendar: surfaces."""
