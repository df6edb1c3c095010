"""Reception: shelters, beds and placements: services."""
