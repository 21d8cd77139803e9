"""Media node types: offline generators, FFmpeg nodes, bulk variants, archives.

Importing ``nodes.builtin`` imports these modules (which registers the types).
``ffmpeg.py`` is the small runner the FFmpeg nodes share: it finds the binary,
probes inputs, and runs a command with real progress and cancellation.
"""
