"""Reception: shelters, beds and placements: forms."""
