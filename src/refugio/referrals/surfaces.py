"""Referrals: surfaces."""
