"""Reception: shelters, beds and placements: tasks."""
