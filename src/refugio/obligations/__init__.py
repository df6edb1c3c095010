"""Each person's obligations computed from stored facts (hearings, check-ins, changes of address, filing
deadlines), kept current when they change.
"""
