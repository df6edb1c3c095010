"""Reception: shelters, beds and placements: views."""
