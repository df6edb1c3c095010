"""Reception: shelters, beds and placements: models."""
