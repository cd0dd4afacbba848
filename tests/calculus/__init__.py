"""Calculus: one test file per engine module, and the problem sets that judge the engine."""
