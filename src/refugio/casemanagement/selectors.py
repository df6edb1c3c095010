"""Community case management: selectors."""
