"""Transport: views."""
