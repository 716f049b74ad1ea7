"""Helpers for a plugin's unit tests (``python -m unittest``): the generated bindings on
``sys.path``, an importer run the way the host runs it, and every way of cutting an input."""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, Mapping

from .bindings import cached
from .config import Config


def use_bindings(world: str) -> None:
    """Puts the generated bindings of ``world`` first on ``sys.path`` (generated once, cached), so
    that ``wit_world.imports.types`` and the SDK's record builders can be imported."""
    path = str(cached(world))
    if path not in sys.path:
        sys.path.insert(0, path)


def run_importer(impl, chunks: Iterable[bytes], settings: Mapping[str, str] | None = None):
    """Runs an importer class over ``chunks`` as the host would: ``open``, ``push`` each, ``finish``.
    Returns ``(records, rejected)``."""
    session = impl.open(Config.from_pairs(settings or {}))
    records, rejected = [], []
    for got in [session.push(c) for c in chunks] + [session.finish()]:
        records += got[0]
        rejected += got[1]
    return records, rejected


def every_split(data: bytes) -> Iterator[tuple[str, list[bytes]]]:
    """Every way of cutting ``data`` in two, then one byte at a time: the chunkings an importer must
    read identically (cuts fall inside ``\\r\\n`` pairs, quoted fields and multi-byte characters)."""
    for i in range(len(data) + 1):
        yield f"cut at byte {i}", [data[:i], data[i:]]
    yield "one byte at a time", [data[i:i + 1] for i in range(len(data))]
