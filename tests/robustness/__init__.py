"""Robustness: inputs that once crashed or hung texgrad, each bounded in time."""
