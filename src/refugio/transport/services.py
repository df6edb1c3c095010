"""Transport: services."""
