"""``python -m custode_sdk build``: a plugin's Python modules to a component.

1. Stage the plugin's modules (not its tests) and this SDK in a temporary folder; for the importer
   world add the module componentize-py looks for the ``session`` resource in (``source``).
2. componentize-py embeds CPython, imports the app module, snapshots the initialised interpreter and
   links the world's bindings: the component exports the world's interfaces and imports
   ``custode:plugin/host`` and ``types`` plus WASI, which Custode links with an empty context (no
   files, network, environment; a frozen clock; stdout and stderr to the plugin's log).
3. Check the world and write the component.

componentize-py 0.25 does not give the same bytes twice: the interpreter it snapshots is started
with real clocks and randomness and a random hash seed (upstream issue
bytecodealliance/componentize-py#247). A rebuild is checked by behaviour, not by bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

from .bindings import componentize_py
from .settings import SDK_DIR, WORLDS, wit_package

_SKIP = {"tests", "test", "__pycache__", "dist", "build", ".venv", "venv"}


def plugin_manifest(directory: Path) -> dict:
    """``[project]`` name and version and ``[tool.custode]`` world and app module of a plugin."""
    path = directory / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(f"{path} is missing; a plugin needs one with [project] name and version "
                           "and [tool.custode] world and app") from None
    settings = data.get("tool", {}).get("custode", {})
    if "world" not in settings:
        raise RuntimeError(f'{path} needs a [tool.custode] table naming the world, e.g. world = "retention-rule"')
    return {"name": data["project"]["name"], "version": data["project"]["version"],
            "world": settings["world"], "app": settings.get("app", "app")}


def build(directory: Path, world: str, app: str, out: Path, log=print) -> dict:
    """Builds the plugin in ``directory`` (app module ``app``) for ``world`` into ``out``."""
    if world not in WORLDS:
        raise RuntimeError(f"unknown world `{world}`; use one of {', '.join(WORLDS)}")
    if not (directory / f"{app}.py").is_file() and not (directory / app / "__init__.py").is_file():
        raise RuntimeError(f"the app module `{app}` is not in {directory}")
    folder, version = wit_package()
    source = (directory / f"{app}.py").read_text(encoding="utf-8") if (directory / f"{app}.py").is_file() else ""
    missing = [name for name in WORLDS[world] if source and not re.search(rf"\b{name}\b", source)]
    if missing:
        raise RuntimeError(f"{app}.py must define {' and '.join(missing)} for the {world} world, e.g. "
                           f"`{', '.join(WORLDS[world])} = {world.replace('-', '_')}(MyPlugin)`")
    with tempfile.TemporaryDirectory(prefix="custode-py-build-") as staging:
        stage = Path(staging)
        _copy_modules(directory, stage)
        shutil.copytree(SDK_DIR / "custode_sdk", stage / "custode_sdk", ignore=shutil.ignore_patterns("__pycache__"))
        if world == "importer":
            # componentize-py finds an exported resource's class in a module named after its interface.
            (stage / "source.py").write_text(f"from {app} import Session  # noqa: F401\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        log(f"componentizing {app} for custode:plugin/{world}@{version} (CPython is embedded; this takes a minute)")
        out.parent.mkdir(parents=True, exist_ok=True)
        run = componentize_py("-q", "-d", str(folder), "-w", world, "componentize", app,
                              "-p", str(stage), "-o", str(out), env=env)
        if run.returncode != 0:
            raise RuntimeError(f"componentize-py failed:\n{run.stderr}{run.stdout}")
    return {"bytes": out.stat().st_size}


def _copy_modules(directory: Path, stage: Path) -> None:
    for entry in sorted(directory.iterdir()):
        if entry.name in _SKIP or entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".py":
            shutil.copy2(entry, stage / entry.name)
        elif entry.is_dir() and (entry / "__init__.py").is_file():
            shutil.copytree(entry, stage / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
