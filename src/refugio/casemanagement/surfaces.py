"""Community case management: surfaces."""
