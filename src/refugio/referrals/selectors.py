"""Referrals: selectors."""
