"""Calculus: numeric evaluation, sampling and finite differences."""
