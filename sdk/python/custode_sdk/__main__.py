"""``python -m custode_sdk``: build a Custode plugin written in Python. Run with ``--help``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .bindings import generate
from .build import build, plugin_manifest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m custode_sdk", description="Build Custode plugins written in Python.")
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="build the plugin in DIR (default .) into a component; "
                                          "DIR/pyproject.toml names the world and the app module")
    b.add_argument("dir", nargs="?", default=".", type=Path)
    b.add_argument("--out", type=Path, help="the component file (default: DIR/dist/<name>.wasm)")
    g = commands.add_parser("bindings", help="write the generated Python bindings of a world into DIR "
                                             "(for editors and type checkers; builds generate their own)")
    g.add_argument("world", choices=["importer", "retention-rule", "exporter"])
    g.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            manifest = plugin_manifest(args.dir)
            out = args.out or args.dir / "dist" / f"{manifest['name']}.wasm"
            started = time.monotonic()
            result = build(args.dir.resolve(), manifest["world"], manifest["app"], out.resolve(),
                           log=lambda line: print(line, file=sys.stderr))
            print(f"{out}: {result['bytes']} bytes in {time.monotonic() - started:.1f} s")
        else:
            generate(args.world, args.dir)
            print(f"wrote the {args.world} bindings to {args.dir}")
    except RuntimeError as e:
        print(f"custode_sdk: {e}", file=sys.stderr)
        return 2
    return 0


sys.exit(main(sys.argv[1:]))
