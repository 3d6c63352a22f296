"""README's settings table, rendered from the settings' own descriptions.

`python -m config.readme` rewrites it in README.md, between the `<!-- settings:start -->` and
`<!-- settings:end -->` lines; tests/test_settings.py fails while it is stale. One row per field, or per run of
fields marked `same_row` (config/settings.py); secrets are shown unset, paths relative to the project root.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from config.settings import ROOT, Settings

README = ROOT / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def table() -> str:
    lines = ["|setting|default|meaning|", "|---|---|---|"]  # no padding: README must stay under 15 KB
    for section, field in Settings.model_fields.items():
        group: type[BaseModel] = field.annotation  # type: ignore[assignment]
        rows: list[list[tuple[str, FieldInfo]]] = []
        for key, info in group.model_fields.items():
            if not info.description:
                raise ValueError(f"{section}.{key} has no description: give it Field(description=...)")
            if _extra(info).get("same_row") and rows:
                rows[-1].append((key, info))
            else:
                rows.append([(key, info)])
        for row in rows:
            keys = " / ".join(key for key, _ in row)
            defaults = " / ".join(_default(f"{section}.{key}", info) for key, info in row)
            meaning = "; ".join(info.description or "" for _, info in row)
            lines.append(f"|{section}.{keys}|{_cell(defaults)}|{_cell(meaning)}|")
    return "\n".join(lines) + "\n"


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _default(name: str, info: FieldInfo) -> str:
    if "shown" in _extra(info):
        return str(_extra(info)["shown"])
    if info.default_factory is not None:
        raise ValueError(f"{name}'s default is computed: say what it is with json_schema_extra={{'shown': ...}}")
    value = info.default
    if value is None or isinstance(value, SecretStr):
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str | Path) and Path(value).is_absolute() and Path(value).is_relative_to(ROOT):
        value = Path(value).relative_to(ROOT).as_posix()
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rewrite(readme: str) -> str:
    """README's text with the table between the markers replaced by a fresh one."""
    head, start, rest = readme.partition(START + "\n")
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md needs the lines {START} and {END} around the settings table")
    return head + start + table() + end + tail


def main() -> int:
    try:
        text = README.read_text(encoding="utf-8")
        fresh = rewrite(text)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if fresh != text:
        README.write_text(fresh, encoding="utf-8")
        print(f"rewrote the settings table in {README.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
