"""The component's app module: connects the exporter to the exporter world."""

from custode_sdk.world import exporter
from {{module}} import Exporter

Plugin, Render = exporter(Exporter)
