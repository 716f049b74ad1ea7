"""custode_sdk: write Custode plugins in Python.

The helpers here run anywhere (a plugin's unit tests run them natively); the world adapters that
connect a plugin to the host are in :mod:`custode_sdk.world`, imported only by the plugin's app
module; :mod:`custode_sdk.records` builds the generated WIT records. Build a component with
``python -m custode_sdk build``. See README.md.
"""

from .config import Config, ConfigError
from .csvreader import CsvError, CsvReader, CsvRecord, parse_delimiter
from .dates import (
    SECONDS_PER_DAY, Civil, add_days, add_months, civil_from_days, days_from_civil, days_in_month,
    epoch_seconds_or_millis, format_date, format_iso, from_civil, is_leap_year, months_between, parse_date,
)
from .text import Lines, RawLines, decode, decode_windows_1252

__all__ = [
    "Config", "ConfigError", "CsvError", "CsvReader", "CsvRecord", "parse_delimiter", "SECONDS_PER_DAY", "Civil",
    "add_days", "add_months", "civil_from_days", "days_from_civil", "days_in_month", "epoch_seconds_or_millis",
    "format_date", "format_iso", "from_civil", "is_leap_year", "months_between", "parse_date", "Lines", "RawLines",
    "decode", "decode_windows_1252",
]
