/** Public face of @x/comap: ComAp WebSupervisor PRO (v1.1) and Cloud Identity clients. */
export { ComapClient, TOKEN_REQUEST_LIMIT } from './client.js';
export { WSV, DEFAULT_RATE_LIMIT } from './wsv.js';
export type { HistoryOptions, DownloadTarget, DownloadOptions, CommandResult, FilesOptions } from './wsv.js';
export { Identity } from './identity.js';
export type { StoredToken, TokenStore } from './token-store.js';
export type { TokenProvider, TokenSource } from './auth.js';
export { REFRESH_BEFORE_EXPIRY_IN_MS } from './auth.js';
export { VALUE_GUID } from './value-guid.js';
export { availableModes } from './command-check.js';
export { RUNNING_ENGINE_STATES, commandEffect, waitForEffect } from './command-effect.js';
export type { CommandEffect, EffectOutcome, WaitForEffectOptions } from './command-effect.js';
export { alarmLevel, diffAlarms, parseAlarms } from './alarms.js';
export type { AlarmLevel, ComapAlarm } from './alarms.js';
export { pollFleet } from './poller.js';
export { archiveFiles } from './archive.js';
export type { ArchiveErrorEvent, ArchiveEvent, ArchiveFileEvent, ArchiveOptions, ArchiveSummaryEvent } from './archive.js';
export type { FleetPollEvent, FleetPollOptions, OfflineReason, SweepEvent, UnitPollErrorEvent, UnitPollEvent, UnitReading, ValueChange } from './poller.js';
export type { ValueGuidName } from './value-guid.js';
export { validateCommand, COMMAND_NAMES, SIMPLE_COMMANDS, TIMER_MODES, WEEK_DAYS } from './command.js';
export type {
  ComapCommand,
  ComapCommandName,
  SimpleCommandName,
  UserButtonAction,
  RemoteSwitchAction,
  TimerSetup,
  TimerModeName,
  WeekDay,
  DayWeekend,
} from './command.js';
export { ComapAmbiguousUnitError, ComapCommandOutcomeUnknownError, ComapCommandRefusedError, ComapItemError, ComapNotFoundError, ComapResponseError, classifyIdentityError, classifyWsvError, isComapResponseError, parseComapError } from './errors.js';
export { parseComapTimestamp, formatComapDate, splitIntoWindows, toDayNumber, formatDay, MAX_HISTORY_WINDOW_DAYS } from './dates.js';
export type { DayNumber, DayWindow } from './dates.js';
export { decodeHtmlEntities } from './html.js';
export { MAX_EMPTY_PAGES } from './history.js';
export type { HistoryCheckpoint, HistoryProgress, HistoryQuery } from './history.js';
export { DEFAULT_BASE_URL } from './options.js';
export type { CallOptions, ComapClientOptions, ComapHttpOptions, IdentityOptions, WsvOptions } from './options.js';
export type {
  TokenResponse,
  Unit,
  UnitValue,
  ComapValue,
  UnitInfo,
  Permission,
  UnitPermissions,
  Comment,
  UnitFile,
  HistoryPoint,
  HistoryValue,
  HistoryEntry,
  RateLimitState,
} from './types.js';
