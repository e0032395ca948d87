"""Generate the configuration reference table in README.md from the config models.

`python -m tools.config_reference` rewrites the table between the README's markers, and
`--check` exits with status 1 when the README is out of date.
"""

from __future__ import annotations

import argparse
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from components.config import StackConfig

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"
# Keys filled by the program rather than set under the project's namespace.
NOT_SETTABLE = {"project", "stack", "region"}


def reference_table() -> str:
    """Return the Markdown table of every config key, its type, default and description."""
    rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    rows.append("| `aws:region` | string | required | AWS Region, for example `ap-south-1`. |")
    rows.extend(_rows(StackConfig, "storefront:", top=True))
    return "\n".join(rows)


def _rows(model: type[BaseModel], prefix: str, top: bool = False) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        if top and name in NOT_SETTABLE:
            continue
        key = f"{prefix}{field.alias or name}"
        nested = _nested_model(field.annotation)
        default = "required" if field.is_required() else _format_default(field.default)
        if nested is not None and nested.__module__ == "components.config":
            is_list = typing.get_origin(field.annotation) is tuple
            kind = "list of object" if is_list else "object"
            rows.append(f"| `{key}` | {kind} | {default} | {field.description or ''} |")
            separator = "[]." if is_list else "."
            rows.extend(_rows(nested, f"{key}{separator}"))
            continue
        rows.append(f"| `{key}` | {_type_name(field.annotation)} | {default} | {field.description or ''} |")
    return rows


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is dict:
        return None
    for argument in typing.get_args(annotation):
        found = _nested_model(argument)
        if found is not None:
            return found
    return None


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    arguments = [argument for argument in typing.get_args(annotation) if argument is not type(None)]
    if origin is typing.Literal:
        return " \\| ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin is tuple:
        return f"list of {_type_name(arguments[0])}"
    if origin is dict:
        return f"map of {_type_name(arguments[1])}"
    if origin is typing.Union:
        return _type_name(arguments[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {int: "integer", str: "string", bool: "boolean"}.get(annotation, str(annotation))


def _format_default(value: Any) -> str:
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value in ((), {}):
        return "empty"
    return f"`{value}`"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.config_reference", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md's table is out of date")
    args = parser.parse_args(argv)
    text = README.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers.", file=sys.stderr)
        return 2
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    updated = f"{head}{START}\n{reference_table()}\n{END}{tail}"
    if args.check:
        if updated != text:
            print("README.md's configuration reference is out of date. Run `make docs`.", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
