"""Referrals to services at other organisations, only for a purpose the household consented to; the service
directory (Open Referral HSDS).
"""
