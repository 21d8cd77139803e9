"""Media node types: offline generators, FFmpeg nodes, bulk variants, archives.

``nodes.catalog`` imports these modules (which declares the types).
``ffmpeg.py`` is the small runner the FFmpeg nodes share: it finds the binary,
probes inputs, and runs a command with real progress and cancellation.
"""
