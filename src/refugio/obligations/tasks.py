"""Obligations calendar: tasks."""
