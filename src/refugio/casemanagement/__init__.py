"""Case plans with check-ins instead of monitors; missed check-ins start with outreach; appearance and check-in
rates.
"""
