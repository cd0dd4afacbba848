"""Calculus: derivatives of typed trees, verified numerically (see :mod:`texgrad.calculus.verify`)."""
