"""Referrals: views."""
