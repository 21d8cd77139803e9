"""Finding 7 of the security review: FFmpeg reads an asset only as the media its bytes
show, over the ``file`` protocol only. An HLS playlist that starts with an ID3 tag passes
for an MP3; read as HLS it would pull in "segments" from anywhere on the server."""

from __future__ import annotations

import subprocess

from nodes.media.ffmpeg import ffmpeg_exe
from tests.helpers import graph, node, submit, wait_run


def test_a_playlist_disguised_as_mp3_reads_no_server_file(users, tmp_path):
    secret = tmp_path / "server-only.aac"  # a file on the server that is no asset
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=1000:duration=2",
                    "-c:a", "aac", "-f", "adts", str(secret)], check=True, timeout=60)
    playlist = (b"ID3\x03\x00\x00\x00\x00\x00\x00#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:2.0,\n"
                + f"file://{secret}\n#EXT-X-ENDLIST\n".encode())
    upload = users.bob.post("/api/assets", content=playlist, headers={"content-type": "audio/mpeg"})
    assert upload.status_code == 201 and upload.json()["content_type"] == "audio/mpeg"
    listed = users.bob.get("/api/assets", params={"kind": "audio"}).json()["assets"]
    item = next(a for a in listed if a["asset_id"] == upload.json()["asset_id"])
    assert "duration" not in (item.get("metadata") or {})  # its metadata was not read from the server file
    g = graph([node("track", "input.audio", default=upload.json()["asset_id"]), node("mix", "audio.mix")],
              [{"from": "track.audio", "to": "mix.tracks"}])
    run = wait_run(users.bob, submit(users.bob, g)["id"])
    assert run["status"] == "failed", run["nodes"]["mix"]
    assert run["nodes"]["mix"]["outputs"] is None
    assert "has no audio" in run["nodes"]["mix"]["error"]["message"]
