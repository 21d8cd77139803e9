"""Benchmarks: FusionFlow against raw Dramatiq on the same Redis, and the graph core."""
