"""Transport: models."""
