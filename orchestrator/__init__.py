"""FusionFlow: a node-graph orchestrator for generative media."""

__version__ = "0.1.0"
