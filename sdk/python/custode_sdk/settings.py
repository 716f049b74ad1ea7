"""Where the SDK finds the WIT package it builds against: the one setting to change when a new
plugin API version lands. ``WIT_DIR`` is relative to the SDK's folder (the one holding
pyproject.toml); the environment variable CUSTODE_WIT_DIR overrides it."""

from __future__ import annotations

import os
import re
from pathlib import Path

WIT_DIR = "../../wit/since_v0.3.0"

SDK_DIR = Path(__file__).resolve().parent.parent

#: The worlds a plugin can implement, and the classes its app module must define for each.
WORLDS = {
    "importer": ("Plugin", "Source", "Session"),
    "retention-rule": ("Plugin", "Rule"),
    "exporter": ("Plugin", "Render"),
}


def wit_package() -> tuple[Path, str]:
    """The WIT folder and the version of the ``custode:plugin`` package in it."""
    folder = (SDK_DIR / os.environ.get("CUSTODE_WIT_DIR", WIT_DIR)).resolve()
    try:
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.wit"))]
    except OSError as e:
        raise RuntimeError(f"the WIT folder {folder} cannot be read ({e.strerror}); "
                           f"set WIT_DIR in {__file__} or CUSTODE_WIT_DIR") from None
    versions = {m[1] for t in texts for m in re.finditer(r"^\s*package\s+custode:plugin@([0-9A-Za-z.+-]+)\s*;", t, re.M)}
    if len(versions) != 1:
        raise RuntimeError(f"the WIT folder {folder} must hold one version of the package custode:plugin, "
                           f"found {', '.join(sorted(versions)) or 'none'}")
    return folder, versions.pop()
