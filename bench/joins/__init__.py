"""Benchmark of remote joins: profiles with their credit history against profiles alone."""
