"""Transport: forms."""
