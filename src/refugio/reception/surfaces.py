"""Reception: shelters, beds and placements: surfaces."""
