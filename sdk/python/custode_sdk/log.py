"""Logging: ``log.info("read 12 rows")``. Inside a plugin the line goes to the host's log (the world
adapters connect it); in a plugin's unit tests it goes to stderr, so the same code runs in both."""

from __future__ import annotations

import sys
from typing import Callable

_LEVELS = ("trace", "debug", "info", "warn", "error")


def _stderr(level: str, message: str) -> None:
    print(f"[{level}] {message}", file=sys.stderr)


_sink: Callable[[str, str], None] = _stderr


def set_sink(write: Callable[[str, str], None]) -> None:
    """Where log lines go. Called by the world adapters with the host's ``log`` function."""
    global _sink
    _sink = write


def write(level: str, message: str) -> None:
    if level not in _LEVELS:
        raise ValueError(f"log level `{level}` is not one of {', '.join(_LEVELS)}")
    _sink(level, message)


def trace(message: str) -> None:
    write("trace", message)


def debug(message: str) -> None:
    write("debug", message)


def info(message: str) -> None:
    write("info", message)


def warn(message: str) -> None:
    write("warn", message)


def error(message: str) -> None:
    write("error", message)
