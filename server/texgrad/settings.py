"""The settings users can change, in one schema: names, types, defaults, descriptions.

The language server reads them (``workspace/configuration`` and initialization
options, section ``texgrad``), and the VS Code extension contributes exactly
these (``texgrad settings --json`` prints them as ``contributes.configuration``
properties; the extension's manifest test compares the two).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str  # without the "texgrad." prefix, dotted: "inlayHints.enabled"
    type: str  # JSON schema type: "string", "boolean", "number", "array", "object"
    default: Any
    description: str
    enum: tuple[str, ...] = ()
    enum_descriptions: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    items: Mapping[str, Any] = field(default_factory=dict)

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "default": self.default,
            "description": self.description,
        }
        if self.enum:
            out["enum"] = list(self.enum)
        if self.enum_descriptions:
            out["enumDescriptions"] = list(self.enum_descriptions)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.items:
            out["items"] = dict(self.items)
        return out


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "layout",
        "string",
        "numerator",
        "Layout of Jacobians: numerator (m×n for f ∈ ℝᵐ, x ∈ ℝⁿ) or denominator (n×m).",
        enum=("numerator", "denominator"),
        enum_descriptions=(
            "∂f/∂x has one row per component of f (m×n).",
            "∂f/∂x has one row per component of x (n×m), the transpose.",
        ),
    ),
    Setting(
        "gradientNotation",
        "string",
        "auto",
        "How inserted derivatives are written: ∇ₓf, ∂f/∂x, or as the document already does.",
        enum=("auto", "nabla", "partial"),
        enum_descriptions=(
            "Follow the document: the notation it uses most, else \\nabla.",
            "\\nabla_x f = …",
            "\\frac{\\partial f}{\\partial x} = …",
        ),
    ),
    Setting(
        "inlayHints.enabled",
        "boolean",
        True,
        "Show inferred shapes after symbols and the shape of functions a document defines.",
    ),
    Setting(
        "math.environments",
        "array",
        [],
        "Extra environment names whose contents are math (besides equation, align, … ).",
        items={"type": "string"},
    ),
    Setting(
        "macros",
        "array",
        [],
        "Extra macro definitions, in LaTeX, applied to every document "
        "(for example \\newcommand{\\R}{\\mathbb{R}}).",
        items={"type": "string"},
    ),
    Setting(
        "differentiation.timeBudget",
        "number",
        5.0,
        "Seconds one differentiation may take (verification included) before it gives up.",
        minimum=0.1,
        maximum=120.0,
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def configuration_properties() -> dict[str, dict[str, Any]]:
    """The settings as VS Code ``contributes.configuration.properties`` (``texgrad.`` keys)."""
    return {f"texgrad.{s.name}": s.json_schema() for s in SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


def resolve(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Settings from a client, nested (``{"inlayHints": {"enabled": false}}``) or flat
    (``{"inlayHints.enabled": false}``); wrong types and unknown values fall back to the
    default, so a bad setting never breaks the server."""
    out = defaults()
    if not isinstance(raw, Mapping):
        return out
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping) and prefix not in BY_NAME:
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = value

    walk("", raw)
    for name, value in flat.items():
        name = name.removeprefix("texgrad.")
        s = BY_NAME.get(name)
        if s is None or not _valid(s, value):
            continue
        out[name] = value
    return out


def _valid(s: Setting, value: Any) -> bool:
    if s.type == "string":
        return isinstance(value, str) and (not s.enum or value in s.enum)
    if s.type == "boolean":
        return isinstance(value, bool)
    if s.type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        lo = s.minimum if s.minimum is not None else float("-inf")
        hi = s.maximum if s.maximum is not None else float("inf")
        return ok and lo <= float(value) <= hi
    if s.type == "array":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False
