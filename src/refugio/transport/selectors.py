"""Transport: selectors."""
