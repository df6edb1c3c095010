"""Community case management: views."""
