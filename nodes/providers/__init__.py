"""Provider adapters (fal.ai, Google Gemini) and the node types that use them.

``fal`` and ``gemini`` wrap the vendors' own client libraries with hosts and keys
from settings, map their failures onto the SDK's errors (``TransientError`` for
rate limits, time-outs and 5xx; ``NodeError`` with the provider's own message for
4xx) and guard every call with a per-provider circuit breaker (``circuit``).
``download`` turns provider URLs into our assets; ``costs`` prices calls from the
price table. The node modules register ``image.edit``, ``text.generate``,
``video.face_swap``, ``lora.train`` and ``fal.run``; ``media`` holds the fal and
Gemini back ends of ``image.generate``, ``video.from_image`` and ``audio.generate``.
"""
