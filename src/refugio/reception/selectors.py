"""Reception: shelters, beds and placements: selectors."""
