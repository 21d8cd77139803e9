"""Each FFmpeg node's output checked with ffprobe and by its pixels; bad media fails in words."""

from __future__ import annotations

import threading

import pytest

from nodes.sdk import Cancelled, NodeError


def streams(probe, harness, ref) -> tuple[dict, list[dict]]:
    with harness.asset_path(ref) as path:
        info = probe.info(path)
    return info["format"], info["streams"]


def kinds(stream_list) -> list[str]:
    return sorted(s["codec_type"] for s in stream_list)


def region_difference(a: bytes, b: bytes, width: int, rows: range) -> float:
    """Mean absolute difference of two RGB frames over ``rows``."""
    start, end = rows.start * width * 3, rows.stop * width * 3
    return sum(abs(x - y) for x, y in zip(a[start:end], b[start:end])) / (end - start)


def test_overlay_text_draws_the_caption_where_and_when_asked(harness, media, probe):
    source = media.video(seconds=2)
    out = harness.run("video.overlay_text", {"text": "Hook: 50% off, \"today\" only: {x}", "position": "bottom",
                                             "start": 1.0, "color": "#ffff00"}, video=source)["video"]
    fmt, s = streams(probe, harness, out)
    assert kinds(s) == ["audio", "video"]
    assert abs(float(fmt["duration"]) - 2.0) < 0.15
    with harness.asset_path(source) as a, harness.asset_path(out) as b:
        before_early, after_early = probe.frame(a, 0.5, (320, 240)), probe.frame(b, 0.5, (320, 240))
        before_late, after_late = probe.frame(a, 1.5, (320, 240)), probe.frame(b, 1.5, (320, 240))
    bottom, top = range(180, 235), range(5, 60)
    assert region_difference(before_late, after_late, 320, bottom) > 20  # the caption is there after start
    assert region_difference(before_late, after_late, 320, top) < 5      # and only at the bottom
    assert region_difference(before_early, after_early, 320, bottom) < 5  # and not before start
    assert harness.progress_events, "no progress reported"


def test_overlay_text_without_text_fails_in_words(harness, media):
    with pytest.raises(NodeError, match="no text to overlay"):
        harness.run("video.overlay_text", {}, video=media.video(seconds=1, audio=False))


def test_replace_audio_copies_the_picture_and_keeps_the_video_length(harness, media, probe):
    video = media.video(seconds=2)
    audio = media.audio(seconds=1, codec="wav")
    out = harness.run("video.replace_audio", {}, video=video, audio=audio)["video"]
    fmt, s = streams(probe, harness, out)
    assert kinds(s) == ["audio", "video"]
    assert abs(float(fmt["duration"]) - 2.0) < 0.15  # the short audio was padded, not the video cut
    audio_stream = next(x for x in s if x["codec_type"] == "audio")
    assert audio_stream["codec_name"] == "aac"
    _, original = streams(probe, harness, video)
    assert next(x for x in s if x["codec_type"] == "video")["nb_frames"] == \
        next(x for x in original if x["codec_type"] == "video")["nb_frames"]


def test_replace_audio_refuses_a_video_as_the_audio(harness, media):
    silent = media.video(seconds=1, audio=False)
    with pytest.raises(NodeError, match="the audio has no audio: it is a video with no audio track"):
        harness.run("video.replace_audio", {}, video=silent, audio=silent)


def test_a_file_that_is_not_a_video_fails_in_words(harness, tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    ref = harness.save_asset(junk, "video/mp4")
    with pytest.raises(NodeError, match="the video is not a video: it is not a media file FFmpeg can read"):
        harness.run("video.trim", {"duration": 1}, video=ref)


def test_concat_joins_clips_of_different_sizes_and_fills_missing_sound(harness, media, probe):
    a = media.video(seconds=1, size="320x240")
    b = media.video(seconds=1, size="160x160", audio=False, colour="smptebars")
    out = harness.run("video.concat", {}, videos=[a, b])["video"]
    fmt, s = streams(probe, harness, out)
    assert kinds(s) == ["audio", "video"]
    assert abs(float(fmt["duration"]) - 2.0) < 0.2
    video = next(x for x in s if x["codec_type"] == "video")
    assert (video["width"], video["height"]) == (320, 240)


def test_trim_keeps_the_asked_span(harness, media, probe):
    out = harness.run("video.trim", {"start": 0.5, "duration": 0.75}, video=media.video(seconds=2))["video"]
    fmt, s = streams(probe, harness, out)
    assert kinds(s) == ["audio", "video"]
    assert abs(float(fmt["duration"]) - 0.75) < 0.1


def test_trim_past_the_end_fails_in_words(harness, media):
    with pytest.raises(NodeError, match="past the end of the video"):
        harness.run("video.trim", {"start": 5}, video=media.video(seconds=1))


@pytest.mark.parametrize("preset,fit,size", [("9:16", "crop", (180, 320)), ("1:1", "pad", (240, 240)),
                                             ("16:9", "stretch", (426, 240))])
def test_resize_presets(harness, media, probe, preset, fit, size):
    out = harness.run("video.resize", {"preset": preset, "short_side": min(size), "fit": fit},
                      video=media.video(seconds=1))["video"]
    _, s = streams(probe, harness, out)
    video = next(x for x in s if x["codec_type"] == "video")
    assert (video["width"], video["height"]) == size
    assert kinds(s) == ["audio", "video"]


def test_thumbnail_is_an_image_of_the_video(harness, media, probe):
    out = harness.run("video.thumbnail", {"at": 0.5, "width": 160}, video=media.video(seconds=1))["image"]
    assert out["content_type"] == "image/png"
    _, s = streams(probe, harness, out)
    assert (s[0]["width"], s[0]["height"]) == (160, 120)


def test_audio_mix_takes_the_longest_track(harness, media, probe):
    a = media.audio(seconds=1.0, frequency=440)
    b = media.audio(seconds=2.0, frequency=880, codec="wav")
    out = harness.run("audio.mix", {"volumes": [1.0, 0.5]}, tracks=[a, b])["audio"]
    assert out["content_type"] == "audio/mp4"
    fmt, s = streams(probe, harness, out)
    assert kinds(s) == ["audio"]
    assert abs(float(fmt["duration"]) - 2.0) < 0.15


def test_cancel_kills_ffmpeg_promptly(harness, media):
    """A cancel during a long encode stops FFmpeg within about a second."""
    video = media.video(seconds=2)
    started = threading.Event()
    harness.on_progress = lambda fraction: started.set()
    import nodes.media.ffmpeg as runner

    runner_interval, runner.PROGRESS_INTERVAL = runner.PROGRESS_INTERVAL, 0.0
    try:
        def cancel_when_running():
            started.wait(30)
            harness.cancel.set()

        threading.Thread(target=cancel_when_running, daemon=True).start()
        import time

        began = time.monotonic()
        with pytest.raises(Cancelled):
            # a slow filter chain on a 2 s clip: long enough to be cancelled midway
            harness.run("video.concat", {"width": 1920, "height": 1080}, videos=[video] * 6)
        assert time.monotonic() - began < 30
        assert not [p for p in _children() if "ffmpeg" in p]
    finally:
        runner.PROGRESS_INTERVAL = runner_interval


def _children() -> list[str]:
    import os

    names = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().split()
            if int(fields[3]) == os.getpid():
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    names.append(handle.read().replace(b"\0", b" ").decode())
        except (OSError, IndexError):
            continue
    return names


def test_ffmpeg_is_found_on_path_else_in_the_wheel_and_the_setting_wins(monkeypatch, tmp_path):
    import imageio_ffmpeg

    import nodes.media.ffmpeg as runner

    monkeypatch.delenv("FUSIONFLOW_FFMPEG", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg on PATH
    assert runner.ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe()
    monkeypatch.setenv("FUSIONFLOW_FFMPEG", "/opt/ffmpeg/bin/ffmpeg")
    assert runner.ffmpeg_exe() == "/opt/ffmpeg/bin/ffmpeg"


def test_nodes_work_with_the_wheels_ffmpeg(harness, media, probe, monkeypatch):
    """The imageio-ffmpeg binary (no ffprobe beside it) runs the probe, a caption and a soundtrack."""
    import imageio_ffmpeg

    video, audio = media.video(seconds=1, audio=False), media.audio(seconds=1)
    monkeypatch.setenv("FUSIONFLOW_FFMPEG", imageio_ffmpeg.get_ffmpeg_exe())
    import nodes.media.ffmpeg as runner

    assert runner.ffmpeg_exe(harness) == imageio_ffmpeg.get_ffmpeg_exe()
    captioned = harness.run("video.overlay_text", {"text": "static build"}, video=video)["video"]
    out = harness.run("video.replace_audio", {}, video=captioned, audio=audio)["video"]
    with harness.asset_path(out) as path:
        info = probe.info(path)
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]


def test_captions_work_without_any_installed_font(harness, media, monkeypatch):
    import nodes.media.ffmpeg as runner

    monkeypatch.setattr(runner, "FONT_CANDIDATES", ())
    font = runner.font_file()
    assert font and font.endswith(".ttf") and "fusionflow-pillow-default" in font
    out = harness.run("video.overlay_text", {"text": "no fonts here"}, video=media.video(seconds=1, audio=False))
    assert out["video"]["size"] > 0
