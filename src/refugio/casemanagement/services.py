"""Community case management: services."""
