"""Detention and imminent-removal alerts: a tier-1 escalation, the attorney and on-call person notified at once,
a checklist, stay-of-removal requests.
"""
