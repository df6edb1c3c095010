"""Refugio: humane, safe and orderly asylum processing."""

__version__ = "0.1.0"
