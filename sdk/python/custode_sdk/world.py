"""The world adapters: turn a plugin written against this SDK into the classes componentize-py
looks for. Import this module only from a plugin's app module (the one ``python -m custode_sdk
build`` is given): it imports the host's functions, which exist only inside a component.

    from custode_sdk.world import retention_rule
    from consent_withdrawn.rule import ConsentWithdrawn

    Plugin, Rule = retention_rule(ConsentWithdrawn)
"""

from __future__ import annotations

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host, types

from . import log
from .batch import subject_views
from .config import Config, ConfigError
from .csvreader import CsvError
from .records import PluginImportError, config_problem, from_wit_name

log.set_sink(lambda level, message: host.log(from_wit_name(types.LogLevel, level), message))


def host_settings() -> Config:
    """The settings the admin gave this plugin, read through the host."""
    return Config(host.config)


def _plugin(impl):
    class Plugin(exports.Plugin):
        def describe(self):
            return impl.describe()

        def check_config(self) -> None:
            # Plugin API 0.2.0: the host asks when the settings are given, so a bad value is refused
            # then. ``impl.check_config(config)`` returns the problems (or raises ConfigError); a
            # plugin without one accepts any values (they are checked when it runs).
            check = getattr(impl, "check_config", None)
            if check is None:
                return
            try:
                problems = list(check(host_settings()) or [])
            except ConfigError as e:
                problems = [config_problem(e.key, e.problem)]
            if problems:
                raise Err(problems)

    return Plugin


def importer(impl):
    """The ``importer`` world: returns ``(Plugin, Source, Session)`` for the app module. ``impl`` is a
    class with ``describe()`` and ``open(config)`` (class methods) and the methods ``push(chunk)``
    and ``finish()`` returning ``(records, rejected)``; every world's ``impl`` may have ``check_config(config)``
    returning a list of :func:`~custode_sdk.records.config_problem`. Raise :class:`PluginImportError`, or let a
    :class:`ConfigError` or :class:`CsvError` through, to stop the import with a message."""

    from wit_world.exports import source

    class Session(source.Session):
        def __init__(self, inner) -> None:
            self.inner = inner

        @classmethod
        def open(cls):
            return cls(_import_call(lambda: impl.open(host_settings())))

        def push(self, chunk: bytes):
            return _chunk_result(_import_call(lambda: self.inner.push(chunk)))

        def finish(self):
            return _chunk_result(_import_call(lambda: self.inner.finish()))

    class Source(exports.Source):
        pass

    return _plugin(impl), Source, Session


def retention_rule(impl):
    """The ``retention-rule`` world: returns ``(Plugin, Rule)`` for the app module. ``impl`` has
    ``describe()`` and ``evaluate(now, batch, config)`` returning the decisions (a subject without one
    is kept); ``batch`` is the subject views, rebuilt from the columns plugin API 0.3.0 passes. Raise :class:`ConfigError` (or ``ValueError`` with a message for the admin) to fail the run."""

    class Rule(exports.Rule):
        def evaluate(self, now: int, batch):
            try:
                # Plugin API 0.3.0 passes the subjects in columns; the rule reads subject views.
                return impl.evaluate(now, subject_views(batch, types), host_settings())
            except (ConfigError, ValueError) as e:
                raise Err(str(e)) from None

    return _plugin(impl), Rule


def exporter(impl):
    """The ``exporter`` world: returns ``(Plugin, Render)``. ``impl`` has ``describe()`` and
    ``render(subject, config)`` returning a ``Document``."""

    from wit_world.exports import render

    class Render(exports.Render):
        def render(self, subject):
            try:
                return impl.render(subject, host_settings())
            except (ConfigError, ValueError) as e:
                raise Err(render.ExportError(message=str(e))) from None

    return _plugin(impl), Render


def _import_call(f):
    try:
        return f()
    except PluginImportError as e:
        raise Err(e.to_record()) from None
    except CsvError as e:
        raise Err(types.ImportError(row=e.line, column=None, message=e.detail)) from None
    except ConfigError as e:
        raise Err(types.ImportError(row=None, column=None, message=str(e))) from None


def _chunk_result(result):
    from wit_world.exports.source import ChunkResult

    records, rejected = result
    return ChunkResult(records=list(records), rejected=list(rejected))
