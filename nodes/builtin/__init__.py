"""The node types that ship with FusionFlow. Importing this package registers them."""

from nodes.builtin import flow, inputs, text  # noqa: F401
from nodes.media import generate, ffmpeg_nodes  # noqa: F401,E402
