"""Shelters, beds and placements in them; the arrivals board."""
