"""The hooks library (contract section 11): short caption texts in categories. A graph
reads a category with ``input.hooks``.

An import is all or nothing: the first empty or over-long text is a ``422 invalid_hook``
with its ``line`` (counted from 1 over the texts, the lines, or the CSV's data rows), and
nothing is added.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from orchestrator.errors import NotFound, Rejected
from orchestrator.library.assets import like_pattern
from orchestrator.library.pages import page
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import hooks

MAX_TEXT = 500
"""Characters in one hook."""
MAX_CATEGORY = 100
DEFAULT_CATEGORY = "general"
MAX_IMPORT = 100_000
"""Hooks in one import."""


def _bad(line: int, message: str) -> Rejected:
    return Rejected(f"hook {line}: {message}", code="invalid_hook", line=line)


def _checked(texts: list[str]) -> list[str]:
    """The texts, stripped; raises ``invalid_hook`` naming the first empty or over-long one."""
    if len(texts) > MAX_IMPORT:
        raise Rejected(f"{len(texts)} hooks in one import; the limit is {MAX_IMPORT}: split it", code="too_many_hooks")
    cleaned = []
    for line, text in enumerate(texts, start=1):
        if not isinstance(text, str) or not text.strip():
            raise _bad(line, "the text is empty")
        if len(text.strip()) > MAX_TEXT:
            raise _bad(line, f"the text has {len(text.strip())} characters; the limit is {MAX_TEXT}")
        cleaned.append(text.strip())
    return cleaned


def _category(value: str | None) -> str:
    category = (value or "").strip() or DEFAULT_CATEGORY
    if len(category) > MAX_CATEGORY:
        raise Rejected(f"the category has {len(category)} characters; the limit is {MAX_CATEGORY}",
                       code="invalid_category")
    return category


def plain_lines(body: str) -> list[str]:
    """One hook a line (``\\r\\n`` or ``\\n``); a final line break ends the last line, it adds none."""
    return body.splitlines()


def csv_rows(body: str, default_category: str | None) -> list[tuple[str, str | None]]:
    """``(text, category)`` per data row of a CSV with a header row naming ``text`` (and ``category``)."""
    reader = csv.DictReader(io.StringIO(body))
    if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
        raise Rejected("the CSV's header row must name a 'text' column (and may name 'category')",
                       code="invalid_csv")
    names = {f.strip().lower(): f for f in reader.fieldnames}
    rows = []
    for row in reader:
        category = row.get(names["category"]) if "category" in names else None
        rows.append((row.get(names["text"]) or "", (category or "").strip() or default_category))
    return rows


class Hooks:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, user_id: str, text: str, category: str | None = None) -> dict:
        (cleaned,) = _checked([text])
        row = {"id": new_id("h"), "user_id": user_id, "text": cleaned, "category": _category(category),
               "created_at": now_iso()}
        with self.db.write() as conn:
            conn.execute(hooks.insert().values(**row))
        return _document(row)

    def import_texts(self, user_id: str, texts: list[str], category: str | None = None) -> dict:
        return self.import_rows(user_id, [(text, category) for text in texts])

    def import_rows(self, user_id: str, rows: list[tuple[str, str | None]]) -> dict:
        """Add every ``(text, category)``, or none when one is bad."""
        texts = _checked([text for text, _ in rows])
        categories = [_category(category) for _, category in rows]
        now = now_iso()
        values = [{"id": new_id("h"), "user_id": user_id, "text": t, "category": c, "created_at": now}
                  for t, c in zip(texts, categories)]
        if values:
            with self.db.write() as conn:
                for start in range(0, len(values), 1000):
                    conn.execute(hooks.insert(), values[start:start + 1000])
        return {"created": len(values)}

    def list(self, user_id: str, *, category: str | None = None, q: str | None = None, limit: int = 50,
             cursor: str | None = None) -> dict:
        query = select(hooks).where(hooks.c.user_id == user_id)
        if category is not None:
            query = query.where(hooks.c.category == category)
        if q:
            query = query.where(func.lower(hooks.c.text).like(like_pattern(q.lower()), escape="\\"))
        with self.db.read() as conn:
            rows, next_cursor = page(conn, query, hooks.c.id, limit=limit, cursor=cursor)
        return {"hooks": [_document(r._mapping) for r in rows], "next_cursor": next_cursor}

    def categories(self, user_id: str) -> dict:
        with self.db.read() as conn:
            rows = conn.execute(select(hooks.c.category, func.count()).where(hooks.c.user_id == user_id)
                                .group_by(hooks.c.category).order_by(hooks.c.category)).all()
        return {"categories": [{"name": name, "count": count} for name, count in rows]}

    def delete(self, user_id: str, hook_id: str) -> None:
        with self.db.write() as conn:
            if not conn.execute(hooks.delete().where(hooks.c.id == hook_id, hooks.c.user_id == user_id)).rowcount:
                raise NotFound(f"hook {hook_id} does not exist")

    def texts(self, user_id: str, category: str, limit: int | None = None) -> list[str]:
        """A category's texts in the order they were added; ``LookupError`` when the user has none in it."""
        query = select(hooks.c.text).where(hooks.c.user_id == user_id, hooks.c.category == category) \
            .order_by(hooks.c.id)
        with self.db.read() as conn:
            found = list(conn.execute(query.limit(limit) if limit else query).scalars())
        if not found:
            raise LookupError(category)
        return found


def _document(row) -> dict:
    return {"id": row["id"], "text": row["text"], "category": row["category"], "created_at": row["created_at"]}
