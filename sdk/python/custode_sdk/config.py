"""Typed settings with errors an admin can act on: :class:`Config`. Mirrors the Rust SDK's
``custode_sdk::config``.

A plugin reads its settings through the host (the world adapters pass the host's settings to the
plugin); its tests give them as a dict (:meth:`Config.from_pairs`), so the same parsing code runs in
both. Values are trimmed; an empty value counts as not set.

>>> config = Config.from_pairs({"days": "30", "action": "delete"})
>>> config.integer("days", 1, 3650)
30
>>> config.choice("action", ["erase", "anonymise", "review"])
Traceback (most recent call last):
custode_sdk.config.ConfigError: setting `action`: `delete` is not one of erase, anonymise, review
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Optional, Sequence


class ConfigError(Exception):
    """A setting with a value the plugin cannot use."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"setting `{key}`: {problem}")
        self.key = key
        self.problem = problem


class Config:
    """A plugin's settings."""

    def __init__(self, lookup: Callable[[str], Optional[str]]) -> None:
        self._lookup = lookup
        self._read: list[str] = []

    @staticmethod
    def from_pairs(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> "Config":
        values = dict(pairs)
        return Config(values.get)

    def keys_read(self) -> list[str]:
        """Every key read so far, in order, once: a plugin's tests check ``describe()`` lists them."""
        return list(self._read)

    def string(self, key: str) -> Optional[str]:
        """The value, trimmed; None when not set or empty."""
        if key not in self._read:
            self._read.append(key)
        value = self._lookup(key)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    def bool(self, key: str) -> Optional[bool]:
        """A yes/no setting: true/false, yes/no, 1/0, on/off (any case)."""
        v = self.string(key)
        if v is None:
            return None
        if v.lower() in ("true", "yes", "1", "on"):
            return True
        if v.lower() in ("false", "no", "0", "off"):
            return False
        raise ConfigError(key, f"`{v}` is not a yes/no value; write true or false")

    def integer(self, key: str, minimum: Optional[int] = None, maximum: Optional[int] = None) -> Optional[int]:
        """A whole number, optionally within ``[minimum, maximum]``."""
        v = self.string(key)
        if v is None:
            return None
        try:
            n = int(v, 10)
        except ValueError:
            raise ConfigError(key, f"`{v}` is not a valid number") from None
        if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
            raise ConfigError(key, f"{n} is out of range; write a number from {minimum} to {maximum}")
        return n

    def choice(self, key: str, allowed: Sequence[str]) -> Optional[str]:
        """One of a fixed set of words (any case); returns the allowed spelling."""
        v = self.string(key)
        if v is None:
            return None
        for a in allowed:
            if a.lower() == v.lower():
                return a
        raise ConfigError(key, f"`{v}` is not one of {', '.join(allowed)}")

    def list(self, key: str, separator: str = ",") -> list[str]:
        """Items split on ``separator``, trimmed, empty ones dropped; empty when not set."""
        v = self.string(key)
        return [] if v is None else [s.strip() for s in v.split(separator) if s.strip()]

    def map(self, key: str) -> list[tuple[str, str]]:
        """``key=value, key=value`` (commas or line breaks between items), in the order written; a key
        or value holding a comma or ``=`` goes in double quotes."""
        v = self.string(key)
        if v is None:
            return []
        out = []
        for item in _split_outside_quotes(v, ",\n"):
            if not item.strip():
                continue
            parts = _split_outside_quotes(item, "=")
            if len(parts) != 2:
                raise ConfigError(key, f"`{item.strip()}` is not a `name=value` pair; "
                                       "write items like `E-mail=email, Nome=first_name`")
            k, val = (_unquote(p) for p in parts)
            if not k:
                raise ConfigError(key, f"`{item.strip()}` has nothing before `=`")
            out.append((k, val))
        return out


def _split_outside_quotes(s: str, separators: str) -> list[str]:
    parts, start, in_quotes = [], 0, False
    for i, c in enumerate(s):
        if c == '"':
            in_quotes = not in_quotes
        elif not in_quotes and c in separators:
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    return parts


def _unquote(s: str) -> str:
    t = s.strip()
    return t[1:-1] if len(t) >= 2 and t[0] == '"' and t[-1] == '"' else t
