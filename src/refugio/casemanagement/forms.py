"""Community case management: forms."""
