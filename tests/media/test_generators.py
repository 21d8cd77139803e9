"""The offline generators: deterministic, visibly derived from the prompt, real media."""

from __future__ import annotations

import hashlib
import wave

from PIL import Image

from nodes.catalog import load_catalog


def sha(harness, ref) -> str:
    with harness.open_asset(ref) as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_image_generate_is_deterministic_and_depends_on_the_prompt(harness):
    params = {"width": 256, "height": 192, "seed": 7}
    first = harness.run("image.generate", params, prompt="a lighthouse, oil painting")
    again = harness.run("image.generate", params, prompt="a lighthouse, oil painting")
    other = harness.run("image.generate", params, prompt="a red fox in snow")
    reseeded = harness.run("image.generate", {**params, "seed": 8}, prompt="a lighthouse, oil painting")
    assert first["seed"] == 7
    assert first["image"]["content_type"] == "image/png"
    assert first["image"]["sha256"] == again["image"]["sha256"] == sha(harness, again["image"])
    assert len({first["image"]["sha256"], other["image"]["sha256"], reseeded["image"]["sha256"]}) == 3
    with harness.asset_path(first["image"]) as a, harness.asset_path(other["image"]) as b:
        one, two = Image.open(a), Image.open(b)
        assert one.size == (256, 192)
        colours = one.convert("RGB").getcolors(maxcolors=256 * 192)
        assert colours is not None and len(colours) > 50  # not a blank square
        top_one, top_two = one.getpixel((2, 2)), two.getpixel((2, 2))
        assert top_one != top_two  # the prompt picks the palette


def test_image_generate_without_seed_records_the_random_one(harness):
    first = harness.run("image.generate", {"width": 64, "height": 64}, prompt="x")
    assert isinstance(first["seed"], int)
    again = harness.run("image.generate", {"width": 64, "height": 64, "seed": first["seed"]}, prompt="x")
    assert again["image"]["sha256"] == first["image"]["sha256"]


def test_non_local_providers_are_refused_with_the_missing_setting():
    node = load_catalog()["image.generate"]
    params = node.params(provider="fal")
    assert node.check_config(params, {}.get) == "FAL_KEY"
    assert node.check_config(node.params(provider="gemini"), {}.get) == "GEMINI_API_KEY"
    assert node.check_config(node.params(provider="local"), {}.get) is None
    for name in ("video.from_image", "audio.generate"):
        other = load_catalog()[name]
        assert other.check_config(other.params(provider="fal"), {}.get) == "FAL_KEY"


def test_video_from_image_makes_a_moving_clip(harness, probe):
    image = harness.run("image.generate", {"width": 160, "height": 120, "seed": 1}, prompt="a boat")["image"]
    clip = harness.run("video.from_image", {"duration": 1, "fps": 12}, image=image)["video"]
    with harness.asset_path(clip) as path:
        info = probe.info(path)
        first, last = probe.frame(path, 0, (160, 120)), probe.frame(path, 0.9, (160, 120))
    video = info["streams"][0]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 160, 120)
    assert abs(float(info["format"]["duration"]) - 1.0) < 0.15
    assert sum(abs(a - b) for a, b in zip(first, last)) / len(first) > 2  # the camera moved


def test_audio_generate_plays_a_melody_from_the_prompt(harness):
    one = harness.run("audio.generate", {"duration": 1.5}, prompt="calm sea at dawn")["audio"]
    same = harness.run("audio.generate", {"duration": 1.5}, prompt="calm sea at dawn")["audio"]
    other = harness.run("audio.generate", {"duration": 1.5}, prompt="storm")["audio"]
    assert one["sha256"] == same["sha256"] != other["sha256"]
    with harness.asset_path(one) as path, wave.open(str(path)) as wav:
        assert abs(wav.getnframes() / wav.getframerate() - 1.5) < 0.01
        frames = wav.readframes(wav.getnframes())
    assert max(frames[1::2]) > 20  # not silence
