"""``image.overlay_text``: a caption on a still (Pillow), for postcards and covers."""

from __future__ import annotations

import textwrap
from typing import Annotated, Literal

import msgspec
from PIL import Image, ImageColor, ImageDraw, ImageFont

from nodes.media import ffmpeg as runner
from nodes.sdk import Context, NodeError, Params, Port, node_type

MAX_PIXELS = 64_000_000


class ImageCaptionParams(Params):
    text: str = ""
    """The caption, when no ``text`` input is connected."""
    position: Literal["top", "center", "bottom"] = "bottom"
    font_size: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0
    """Pixels; 0: a twelfth of the image's height."""
    color: str = "white"
    box_color: str = "#00000099"
    """Behind the text (``#RRGGBBAA`` for transparency); empty for none."""


def _colour(value: str, what: str) -> tuple:
    try:
        return ImageColor.getcolor(value, "RGBA")
    except ValueError:
        raise NodeError(f"{what} {value!r} is not a colour: use a name or #RRGGBB[AA]") from None


@node_type("image.overlay_text", title="Caption image", category="image", cacheable=True,
           inputs=[Port("image", "image"), Port("text", "text", required=False)],
           outputs=[Port("image", "image")])
def caption_image(ctx: Context, params: ImageCaptionParams, inputs: dict) -> dict:
    """Write a caption on the image, in a band at the top, centre or bottom (PNG out)."""
    text = (inputs.get("text") if inputs.get("text") is not None else params.text).strip()
    if not text:
        raise NodeError("there is no text to write: connect the text input or set the text param")
    colour, box = _colour(params.color, "color"), _colour(params.box_color, "box_color") if params.box_color else None
    with ctx.asset_path(inputs["image"]) as source:
        try:
            with Image.open(source) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise NodeError(f"the image is {opened.width}x{opened.height}: too large to caption")
                image = opened.convert("RGBA")
        except (OSError, Image.DecompressionBombError) as exc:
            raise NodeError(f"the image cannot be read: {exc}") from None
    size = params.font_size or max(10, image.height // 12)
    font_path = runner.font_file()
    font = ImageFont.truetype(font_path, size) if font_path else ImageFont.load_default(size=size)
    lines = textwrap.wrap(text, width=max(8, int(image.width * 0.9 / (size * 0.58))))
    line_height = int(size * 1.25)
    block = line_height * len(lines)
    pad = size // 2
    top = {"top": pad, "center": (image.height - block) // 2, "bottom": image.height - block - pad * 2}[params.position]
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    if box:
        draw.rectangle([0, top - pad // 2, image.width, top + block + pad // 2], fill=box)
    y = top
    for line in lines:
        draw.text(((image.width - draw.textlength(line, font=font)) / 2, y), line, font=font, fill=colour)
        y += line_height
    out = ctx.temp_dir() / "captioned.png"
    Image.alpha_composite(image, overlay).convert("RGB").save(out, "PNG")
    return {"image": ctx.save_asset(out, "image/png", filename="captioned.png")}
