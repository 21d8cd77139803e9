"""The HTTP API (Litestar): thin controllers over the engine's services."""
