"""Benchmarks of the sign-in path."""
