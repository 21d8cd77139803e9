"""``video.face_swap``: put the face from an image onto the people of a video (fal)."""

from __future__ import annotations

from typing import Literal

from nodes.providers import costs, fal
from nodes.providers.common import check_provider, input_url
from nodes.providers.media import fal_media_result
from nodes.sdk import Context, Params, Port, node_type


class FaceSwapParams(Params):
    provider: Literal["fal"] = "fal"
    model: str = "half-moon-ai/ai-face-swap/faceswapvideo"
    occlusion_prevention: bool = False
    """Better results around hands and hair; fal bills it double."""
    expected_seconds: float = 10.0
    """Length of the video, for the estimate (the price is per second)."""


def _arguments(params: FaceSwapParams, face_url: str, video_url: str) -> dict:
    return {"source_face_url": face_url, "target_video_url": video_url,
            "enable_occlusion_prevention": params.occlusion_prevention}


def _estimate(params: FaceSwapParams, prices: dict) -> float:
    arguments = {**_arguments(params, "", ""), "duration": params.expected_seconds}
    return costs.fal_cost(prices, params.model, arguments)[0] * (2 if params.occlusion_prevention else 1)


@node_type("video.face_swap", settings=fal.SETTINGS, timeout=7200, title="Swap face in video", category="video",
           inputs=[Port("face", "image", description="A photo of the face to put in"),
                   Port("video", "video", description="The video whose face is replaced")],
           outputs=[Port("video", "video")], estimate=_estimate, check_config=check_provider)
def face_swap(ctx: Context, params: FaceSwapParams, inputs: dict) -> dict:
    """Replaces the face in a video with the face from a photo, on fal. Needs FAL_KEY."""
    video = inputs["video"]
    arguments = _arguments(params, input_url(ctx, inputs["face"], "face"), input_url(ctx, video, "video"))
    result, request_id = fal.run(ctx, params.model, arguments, expected_seconds=120)
    billed = {**arguments, "duration": video.get("duration") or params.expected_seconds}
    return {"video": fal_media_result(ctx, params.model, billed, result, request_id, "video",
                                      factor=2.0 if params.occlusion_prevention else 1.0)}
