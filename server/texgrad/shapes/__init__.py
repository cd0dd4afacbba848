"""Shapes: declarations, inference and dimension diagnostics."""
