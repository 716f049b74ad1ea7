// @custode/plugin-sdk: write Custode plugins in JavaScript or TypeScript.
//
// The helpers here run anywhere (a plugin's unit tests run them under Node.js); the world adapters
// that connect a plugin to the host are in `@custode/plugin-sdk/world`, imported only by the
// plugin's entry file. See README.md.

export { Lines, RawLines, decode, decodeWindows1252, tryUtf8 } from './text.js';
export { CsvReader, CsvError, parseDelimiter, DEFAULT_MAX_RECORD_BYTES } from './csv.js';
export {
  SECONDS_PER_DAY, addDays, addMonths, civilFromDays, daysFromCivil, daysInMonth, epochSecondsOrMillis,
  formatDate, formatIso, fromCivil, isLeapYear, monthsBetween, parseDate, toCivil,
} from './time.js';
export { Config, ConfigError } from './config.js';
export {
  Action, CONSENT_ACTIONS, DATA_CATEGORIES, ImportError, LEGAL_BASES, PLUGIN_KINDS, SOURCE_CHANNELS,
  configKey, configProblem, consentClaim, consentOrigin, contactRecord, decision, email, externalId, legalBasisClaim, phone, pluginInfo, rowError,
} from './records.js';
export { log } from './log.js';
