"""Bulk variants (round robin, one render per node) and the streamed ZIP."""

from __future__ import annotations

import zipfile

import pytest

from nodes.media.variants import round_robin
from nodes.sdk import NodeError


def test_round_robin_cycles_audios_and_hooks_across_the_batch():
    plan = round_robin(["v1", "v2", "v3"], ["a1", "a2"], ["h1", "h2", "h3", "h4"], 4)
    assert len(plan) == 12
    assert [p["video"] for p in plan[:5]] == ["v1", "v1", "v1", "v1", "v2"]
    assert [p["audio"] for p in plan[:5]] == ["a1", "a2", "a1", "a2", "a1"]
    assert [p["hook"] for p in plan[:6]] == ["h1", "h2", "h3", "h4", "h1", "h2"]
    assert [p["index"] for p in plan] == list(range(12))


def test_render_one_variant_in_one_pass(harness, media, probe):
    videos = [media.video(seconds=1, audio=False), media.video(seconds=1, colour="smptebars")]
    audios = [media.audio(seconds=2, codec="wav")]
    plan = harness.run("variants.plan", {"per_video": 2, "hooks": ["third"]}, videos=videos, audios=audios,
                       hooks=["first", "second"])
    assert plan["count"] == 4
    out = harness.run("variants.render", {"index": 3}, variants=plan["variants"])
    assert out["hook"] == "first"  # index 3 of three hooks cycles back
    with harness.asset_path(out["video"]) as path:
        info = probe.info(path)
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]
    assert abs(float(info["format"]["duration"]) - 1.0) < 0.1  # the 2 s audio was cut to the video
    with pytest.raises(NodeError, match="variant 4 does not exist: the plan has 4"):
        harness.run("variants.render", {"index": 4}, variants=plan["variants"])


def test_zip_streams_every_asset_in_order(harness, media):
    refs = [media.audio(seconds=0.5, frequency=300 + i * 100) for i in range(3)]
    out = harness.run("archive.zip", {"prefix": "take"}, assets=[refs[0], [refs[1], refs[2]]])
    assert out["count"] == 3 and out["archive"]["content_type"] == "application/zip"
    with harness.asset_path(out["archive"]) as path, zipfile.ZipFile(path) as bundle:
        assert bundle.namelist() == ["take-001.m4a", "take-002.m4a", "take-003.m4a"]
        for name, ref in zip(bundle.namelist(), refs):
            with harness.open_asset(ref) as original:
                assert bundle.read(name) == original.read()
    assert harness.progress_events[-1][0] == 1.0
    with pytest.raises(NodeError, match="nothing to archive"):
        harness.run("archive.zip", {}, assets=[])
