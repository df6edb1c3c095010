"""Probabilistic record linkage of people (Fellegi–Sunter on Splink): names as people write them. No Django."""
