"""Whether the settings an editor snippet sends are settings texgrad has, with valid values."""

from __future__ import annotations

from typing import Any

from texgrad.settings import BY_NAME, resolve


def flatten(section: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in section.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and name not in BY_NAME:
            out |= flatten(value, name)
        else:
            out[name] = value
    return out


def assert_known_settings(sent: dict[str, Any]) -> None:
    """``sent`` is ``{"texgrad": {...}}`` as the snippet gives it to the client: every
    setting in it exists and its value is taken (not dropped back to the default)."""
    assert set(sent) == {"texgrad"}, sent
    flat = flatten(sent["texgrad"])
    assert flat, "the snippet sends no setting"
    unknown = sorted(set(flat) - set(BY_NAME))
    assert not unknown, f"not texgrad settings: {unknown}"
    taken = resolve(sent["texgrad"])
    assert {name: taken[name] for name in flat} == flat
