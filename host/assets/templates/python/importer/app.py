"""The component's app module: connects the importer to the importer world."""

from custode_sdk.world import importer
from {{module}} import Importer

Plugin, Source, Session = importer(Importer)
