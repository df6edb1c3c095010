"""Transport: surfaces."""
