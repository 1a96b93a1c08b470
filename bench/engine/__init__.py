"""Micro-benchmarks of the engine's server layer."""
