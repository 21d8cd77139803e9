"""The price table: what one provider call costs, by a key such as ``fal:fal-ai/flux/dev``.

Prices are USD per unit; the unit is part of the entry (``image``, ``megapixel``,
``second``, ``step``, ``1k_chars``, ``call``). ``FUSIONFLOW_PRICES`` (a JSON object of
the same shape) overrides or extends the defaults.
"""

from __future__ import annotations

import json

DEFAULT_PRICES: dict[str, dict] = {
    "local": {"usd": 0.0, "unit": "call"},
}


def parse_prices(raw: str | None, defaults: dict[str, dict]) -> dict[str, dict]:
    prices = {key: dict(value) for key, value in defaults.items()}
    if raw:
        for key, value in json.loads(raw).items():
            prices[key] = dict(value)
    return prices
