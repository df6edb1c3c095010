"""Referrals: forms."""
