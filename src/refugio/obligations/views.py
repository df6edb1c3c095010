"""Obligations calendar: views."""
