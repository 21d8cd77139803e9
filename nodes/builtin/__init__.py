"""The node types that ship with FusionFlow. Importing this package registers them."""

from nodes.builtin import flow, inputs, outputs, subgraph, text  # noqa: F401
from nodes.media import archive, ffmpeg_nodes, generate, image_nodes, variants  # noqa: F401,E402
from nodes.providers import text_generate  # noqa: F401,E402
from nodes.providers import image_edit  # noqa: F401,E402
from nodes.providers import face_swap  # noqa: F401,E402
from nodes.providers import lora  # noqa: F401,E402
from nodes.providers import fal_run  # noqa: F401,E402
from nodes.providers import plugins  # noqa: F401,E402  (fal/gemini for image.generate, video.from_image, audio.generate)
