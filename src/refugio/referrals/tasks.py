"""Referrals: tasks."""
