"""Loading declarative YAML files (policy, manifest, mapping) into pydantic models.

Every error is reported at once, each naming the file and the key path, in the style
``activities[4].retention[0].duration``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import SpecError, SpecIssue

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every spec model: unknown keys are rejected, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def key_path(loc: tuple[Any, ...]) -> str:
    """Render a pydantic error location as ``a.b[3].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic adds the tag of a tagged union / function validators as a loc part
            if isinstance(part, str) and (part.startswith("function-") or part.startswith("tagged-union[")):
                continue
            out += ("." if out else "") + str(part)
    return out


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: ~5x faster


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when available: the same safe constructors (no Python
    objects); the two parsers differ only in corner cases (tabs before values, lone surrogates)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file, turning syntax errors into a SpecError naming line and column."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecIssue(str(p), "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise SpecError([SpecIssue(str(p), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError([SpecIssue(str(p), where, f"YAML syntax error: {problem}")]) from None


def validate(data: Any, model: type[M], file: str | Path) -> M:
    """Validate already-parsed data, collecting every error with its key path."""
    if data is None:
        raise SpecError([SpecIssue(str(file), "", "file is empty")])
    try:
        return model.model_validate(data, context={"file": str(file)})
    except ValidationError as exc:
        issues = []
        for err in exc.errors(include_url=False):
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            elif err["type"] == "missing":
                msg = "required key is missing"
            elif err.get("input", "") is None:
                # an empty answer, as a draft by `rgpd-audit init` leaves the person's questions
                msg = f"left empty: a value is needed here ({msg[0].lower() + msg[1:]}); a drafted manifest marks it TO DECIDE"
            issues.append(SpecIssue(str(file), key_path(err["loc"]), msg))
        raise SpecError(issues) from None


def load_spec(path: str | Path, model: type[M]) -> M:
    """Read and validate a YAML spec file."""
    return validate(read_yaml(path), model, path)
