"""The component's app module: connects EmailList to the importer world."""

from email_list import EmailList
from custode_sdk.world import importer

Plugin, Source, Session = importer(EmailList)
