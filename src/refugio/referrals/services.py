"""Referrals: services."""
