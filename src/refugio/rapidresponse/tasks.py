"""Rapid response: tasks."""
