"""Community case management: models."""
