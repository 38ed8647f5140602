"""The project's own promises: the two dependency lists agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _requirement(text: str) -> tuple[str, str]:
    name, bound = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[\w.]+)?", text).groups()
    return name.lower().replace("_", "-"), (bound or "").replace(" ", "")


def test_environment_yml_and_pyproject_list_the_same_dependencies_and_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = dict(_requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed: dict[str, str] = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-e"):
                continue
            name, bound = _requirement(entry)
            if name in ("pip", "python"):
                continue
            listed[name] = bound
    assert listed == declared
