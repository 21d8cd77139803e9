"""The fal and Gemini adapters and the provider node functions, driven through the real
client libraries against the local stubs, with a fake context (no engine)."""

from __future__ import annotations

import threading

import msgspec
import pytest

from nodes.catalog import load_catalog
from nodes.providers import circuit, download, media
from nodes.sdk import Cancelled, NodeError, TransientError
from tests.providers.fakes import FakeContext
from tests.providers.stubs import FAL_KEY, FILES, GEMINI_KEY, fal_stub, gemini_stub, png_bytes


@pytest.fixture
def fal():
    with fal_stub() as stub:
        yield stub


@pytest.fixture
def gemini():
    with gemini_stub() as stub:
        yield stub


@pytest.fixture
def ctx(fal, gemini):
    context = FakeContext({"FAL_KEY": FAL_KEY, "FAL_QUEUE_URL": fal.queue_url, "GEMINI_API_KEY": GEMINI_KEY,
                           "GEMINI_BASE_URL": gemini.url})
    yield context
    context.close()


def run_node(type_name: str, ctx: FakeContext, params: dict, inputs: dict) -> dict:
    node_type = load_catalog()[type_name]
    return node_type.execute(ctx, msgspec.convert(params, node_type.params), inputs)


def cancel_while_running(ctx: FakeContext, started: threading.Event, type_name: str, params: dict,
                         inputs: dict) -> BaseException | None:
    """Run a node in a thread, cancel it once ``started`` is set; returns what it raised."""
    result: dict = {}

    def target():
        try:
            run_node(type_name, ctx, params, inputs)
        except BaseException as exc:  # noqa: BLE001
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    assert started.wait(10)
    ctx.cancel.set()
    thread.join(10)
    assert not thread.is_alive()
    return result.get("error")


class Image:
    def __init__(self, width: int, height: int, seed: int | None = None, model: str = "") -> None:
        self.provider, self.width, self.height, self.seed, self.model = "fal", width, height, seed, model


def test_fal_image_progress_asset_and_cost(fal, ctx):
    outputs = media.generate_image_fal(ctx, Image(1024, 1024, seed=7), "a lighthouse")
    ref = outputs["image"]
    assert ctx.assets[ref["asset_id"]][1] == FILES["image.png"][1]
    assert ref["content_type"] == "image/png" and outputs["seed"] == 7
    [submission] = fal.submissions
    assert submission.app == "fal-ai/flux/schnell"
    assert submission.body["prompt"] == "a lighthouse" and submission.body["image_size"] == {"width": 1024, "height": 1024}
    messages = [message for _, message in ctx.events]
    assert "in fal's queue, position 1" in messages and "loading model" in messages and "step 2/4" in messages
    fractions = [fraction for fraction, _ in ctx.events]
    assert fractions == sorted(fractions)
    assert dict(ctx.events)[0.45] == "step 2/4"  # 2/4 of the 0-0.9 span
    # 1024 x 1024 is one megapixel to fal, $0.003 on schnell
    assert ctx.costs == {f"fal:{submission.id}": (0.003, "fal fal-ai/flux/schnell: 1 megapixel x $0.003")}
    assert ctx.stored_external_id == f"fal:fal-ai/flux/schnell:{submission.id}"


def test_fal_422_fails_at_once_with_fal_message(fal, ctx):
    fal.scenario("fal-ai/flux/dev", submit_errors=[(422, {"detail": [
        {"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]})])
    with pytest.raises(NodeError) as caught:
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    assert not isinstance(caught.value, TransientError)
    assert str(caught.value) == "fal fal-ai/flux/dev: prompt: Field required"
    assert fal.submit_attempts == 1


@pytest.mark.parametrize("status,headers,kind", [(429, {"retry-after": "3"}, "rate_limited"),
                                                 (500, {}, "provider_unavailable"),
                                                 (503, {}, "provider_unavailable")])
def test_fal_rate_limits_and_5xx_are_transient_without_client_retries(fal, ctx, status, headers, kind):
    fal.scenario("fal-ai/flux/dev", submit_errors=[(status, {"detail": "busy nginx"}, headers)])
    with pytest.raises(TransientError) as caught:
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev", "arguments": {"prompt": "x"}}, {})
    assert caught.value.error_type == kind
    assert caught.value.retry_after == (3.0 if headers else None)
    assert fal.submit_attempts == 1  # fal-client's own retry loop is off: the engine retries


def test_fal_resume_polls_the_stored_request_without_paying_again(fal, ctx):
    # first delivery: submitted, then the status call fails (as if the worker died while polling)
    fal.scenario("fal-ai/flux/dev", status_errors=[(503, {"detail": "runner_disconnected"},
                                                    {"x-fal-request-id": "x"})])
    with pytest.raises(TransientError):
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev", "arguments": {"prompt": "x"}}, {})
    assert len(fal.submissions) == 1 and ctx.stored_external_id
    # redelivery: a new attempt with the same node row resumes the same request
    ctx.attempt = 2
    outputs = run_node("fal.run", ctx, {"app": "fal-ai/flux/dev", "arguments": {"prompt": "x"}}, {})
    assert len(fal.submissions) == 1
    assert outputs["image"]["content_type"] == "image/png"
    assert outputs["result"]["images"][0]["asset_id"] == outputs["image"]["asset_id"]
    assert outputs["result"]["seed"] == 4242 and outputs["video"] is None
    assert any("resuming fal request" in message for _, message in ctx.events)
    assert list(ctx.costs) == [f"fal:{fal.submissions[0].id}"]


def test_fal_resume_of_an_unknown_request_submits_anew(fal, ctx):
    ctx.stored_external_id = "fal:fal-ai/flux/dev:gone"
    run_node("fal.run", ctx, {"app": "fal-ai/flux/dev", "arguments": {"prompt": "x"}}, {})
    assert len(fal.submissions) == 1
    assert ctx.stored_external_id == f"fal:fal-ai/flux/dev:{fal.submissions[0].id}"


def test_fal_cancel_reaches_fal(fal, ctx):
    fal.scenario("fal-ai/flux-lora-fast-training", never_finish=True)
    error = cancel_while_running(ctx, fal.polled, "fal.run", {"app": "fal-ai/flux-lora-fast-training"}, {})
    assert isinstance(error, Cancelled)
    assert fal.cancelled.wait(5) and fal.cancels == [fal.submissions[0].id]


def test_fal_request_that_never_finishes_times_out_and_is_cancelled(fal, ctx):
    fal.scenario("fal-ai/flux/dev", never_finish=True)
    ctx.settings["FAL_MAX_WAIT_SECONDS"] = "0.2"
    with pytest.raises(NodeError, match="did not finish within 0.2 s"):
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    assert fal.cancels == [fal.submissions[0].id]


def test_fal_failed_request_is_reported_and_not_resumed(fal, ctx):
    fal.scenario("fal-ai/flux/dev", error=("CUDA out of memory", "runner_server_error"))
    with pytest.raises(TransientError, match="CUDA out of memory"):
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    assert ctx.stored_external_id is None
    fal.scenario("fal-ai/flux/dev", error=("NSFW content detected", "content_policy_violation"))
    with pytest.raises(NodeError, match="NSFW content detected") as caught:
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    assert not isinstance(caught.value, TransientError)


def test_circuit_breaker_opens_fails_fast_and_recovers(fal, ctx):
    ctx.settings.update(FUSIONFLOW_CIRCUIT_THRESHOLD="2", FUSIONFLOW_CIRCUIT_COOLDOWN="30")
    fal.scenario("fal-ai/flux/dev", submit_errors=[(500, {"detail": "boom"})] * 2)
    for _ in range(2):
        with pytest.raises(TransientError, match="HTTP 500"):
            run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    with pytest.raises(TransientError, match="circuit breaker open after 2 consecutive failures") as caught:
        run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    assert caught.value.error_type == "circuit_open" and caught.value.retry_after > 25
    assert fal.submit_attempts == 2  # the third call never left
    # after the cool-down one trial call goes out; its success closes the breaker
    ctx.settings["FUSIONFLOW_CIRCUIT_COOLDOWN"] = "0"
    run_node("fal.run", ctx, {"app": "fal-ai/flux/dev"}, {})
    assert circuit.breaker("fal", fal.queue_url, ctx.setting).state == "closed" and fal.submit_attempts == 3


def test_circuit_breaker_unit():
    now = [0.0]
    breaker = circuit.CircuitBreaker("x", threshold=3, cooldown=10, clock=lambda: now[0])
    for _ in range(2):
        breaker.failure()
    breaker.before_call()  # still closed
    breaker.success()
    for _ in range(3):
        breaker.failure()
    with pytest.raises(TransientError):
        breaker.before_call()
    now[0] = 10.5
    breaker.before_call()  # half-open trial
    with pytest.raises(TransientError):
        breaker.before_call()  # only one trial at a time
    breaker.failure()  # the trial failed: open again
    with pytest.raises(TransientError):
        breaker.before_call()
    assert breaker.state == "open"


def test_private_urls_are_refused_unless_allowed(fal, ctx):
    ctx.settings["allow_private_urls"] = False
    with pytest.raises(NodeError, match="non-public address 127.0.0.1"):
        download.save_url(ctx, fal.file_url("image.png"))
    with pytest.raises(NodeError, match="only http and https"):
        download.save_url(ctx, "file:///etc/passwd")
    ref = download.save_url(ctx, "data:image/png;base64," + __import__("base64").b64encode(png_bytes()).decode())
    assert ref["content_type"] == "image/png"


def test_fal_video_audio_face_swap_and_lora(fal, ctx):
    image = ctx.save_asset(__import__("io").BytesIO(png_bytes()), "image/png")
    video = ctx.save_asset(__import__("io").BytesIO(FILES["video.mp4"][1]), "video/mp4")

    class Video:
        provider, model, duration, seed = "fal", "", 10, None

    out = media.video_from_image_fal(ctx, Video(), image, "the sea moves")
    assert out["video"]["content_type"] == "video/mp4"
    kling = fal.submissions[-1]
    assert kling.app == media.FAL_VIDEO_MODEL and kling.body["duration"] == "10"
    assert kling.body["image_url"] == ctx.asset_url(image)
    assert ctx.costs[f"fal:{kling.id}"][0] == pytest.approx(0.56)

    class Speech:
        provider, model, voice = "fal", "", "af_bella"

    out = media.generate_audio_fal(ctx, Speech(), "hello " * 500)
    assert out["audio"]["content_type"] == "audio/wav"
    assert ctx.costs[f"fal:{fal.submissions[-1].id}"][0] == pytest.approx(0.06)

    out = run_node("video.face_swap", ctx, {"occlusion_prevention": True}, {"face": image, "video": video})
    swap = fal.submissions[-1]
    assert swap.body == {"source_face_url": ctx.asset_url(image), "target_video_url": ctx.asset_url(video),
                         "enable_occlusion_prevention": True}
    assert ctx.costs[f"fal:{swap.id}"][0] == pytest.approx(1.0)  # 10 s x $0.05 x 2

    out = run_node("lora.train", ctx, {"trigger_word": "zxq", "steps": 500}, {"images": [image, image]})
    train = fal.submissions[-1]
    assert train.body["images_data_url"].startswith("https://assets.example/") and train.body["steps"] == 500
    zip_ref = ctx.asset(train.body["images_data_url"].rsplit("/", 1)[1])
    assert zip_ref["content_type"] == "application/zip"
    lora = out["lora"]
    assert ctx.assets[lora["weights"]["asset_id"]][1] == FILES["lora_weights.safetensors"][1]
    assert lora["trigger_word"] == "zxq" and ctx.costs[f"fal:{train.id}"][0] == pytest.approx(1.0)

    run_node("fal.run", ctx, {"app": "fal-ai/flux-lora", "arguments": {"num_inference_steps": 20}},
             {"prompt": "zxq on a beach", "lora": lora})
    use = fal.submissions[-1].body
    assert use["loras"] == [{"path": ctx.asset_url(lora["weights"]), "scale": 1.0}]
    assert use["prompt"] == "zxq on a beach" and use["num_inference_steps"] == 20


def test_gemini_text(gemini, ctx):
    out = run_node("text.generate", ctx, {"system": "be brief"}, {"prompt": "a hook for a fox video"})
    assert out == {"text": "stub answer to: a hook for a fox video"}
    [call] = gemini.calls
    assert call["model"] == "gemini-2.5-flash"
    assert call["body"]["systemInstruction"]["parts"][0]["text"] == "be brief"
    thinking = call["body"]["generationConfig"]["thinkingConfig"]  # the SDK sends it snake_cased
    assert thinking.get("thinkingBudget", thinking.get("thinking_budget")) == 0
    [(amount, detail)] = ctx.costs.values()
    assert amount == pytest.approx((8 * 0.30 + 9 * 2.50) / 1e6, abs=1e-6) and "8 input + 9 output" in detail


def test_gemini_image_generate_and_edit(gemini, ctx):
    class Params:
        provider, model, width, height, seed = "gemini", "", 1280, 720, None

    out = media.generate_image_gemini(ctx, Params(), "a banana")
    assert ctx.assets[out["image"]["asset_id"]][1] == png_bytes(rgb=(10, 120, 200))
    body = gemini.calls[-1]["body"]
    assert gemini.calls[-1]["model"] == "gemini-2.5-flash-image"
    assert body["generationConfig"]["imageConfig"]["aspectRatio"] == "16:9"
    photo = ctx.save_asset(__import__("io").BytesIO(png_bytes(rgb=(1, 2, 3))), "image/png")
    out = run_node("image.edit", ctx, {}, {"image": photo, "prompt": "a character sheet", "references": []})
    assert out["image"]["content_type"] == "image/png"
    assert GeminiInline(gemini.calls[-1]["body"]) == [("image/png", png_bytes(rgb=(1, 2, 3)))]
    assert all(amount == pytest.approx((20 * 0.30 + 1290 * 30.0) / 1e6, abs=1e-6)
               for amount, _ in ctx.costs.values())


def GeminiInline(body):  # noqa: N802
    from tests.providers.stubs import GeminiStub
    return GeminiStub.inline_images(body)


def test_gemini_errors(gemini, ctx):
    gemini.errors = [
        (429, {"error": {"code": 429, "message": "You exceeded your current quota", "status": "RESOURCE_EXHAUSTED",
                         "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}]}}),
        (400, {"error": {"code": 400, "message": "Unsupported MIME type", "status": "INVALID_ARGUMENT"}}),
        (503, {"error": {"code": 503, "message": "The model is overloaded", "status": "UNAVAILABLE"}}),
    ]
    with pytest.raises(TransientError, match="You exceeded your current quota") as caught:
        run_node("text.generate", ctx, {}, {"prompt": "x"})
    assert caught.value.retry_after == 7.0
    with pytest.raises(NodeError, match="^Gemini gemini-2.5-flash: Unsupported MIME type$") as caught:
        run_node("text.generate", ctx, {}, {"prompt": "x"})
    assert not isinstance(caught.value, TransientError)
    with pytest.raises(TransientError, match="overloaded"):
        run_node("text.generate", ctx, {}, {"prompt": "x"})
    with pytest.raises(NodeError, match="blocked the prompt \\(SAFETY\\)"):
        run_node("text.generate", ctx, {}, {"prompt": "BLOCKME"})
    ctx.settings["GEMINI_API_KEY"] = "wrong"
    with pytest.raises(NodeError, match="API key not valid"):
        run_node("text.generate", ctx, {"model": "gemini-2.5-pro"}, {"prompt": "x"})


def test_gemini_cancel_stops_waiting(gemini, ctx):
    gemini.release.clear()
    assert isinstance(cancel_while_running(ctx, gemini.call_started, "text.generate", {}, {"prompt": "slow"}),
                      Cancelled)  # while the stub still holds the call
    gemini.release.set()
