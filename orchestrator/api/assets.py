"""Assets (contract section 7). The routes arrive with the asset stores."""

from __future__ import annotations

ROUTES: list = []
