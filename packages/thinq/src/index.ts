/**
 * Public face of @x/thinq: LG ThinQ v1 (wideq) and ThinQ Connect. Explicit exports only; what is
 * not listed here is internal and may change.
 */

// Errors (every one an http-core XError with a `category`) and their guards.
export {
  ThinqError,
  MalformedResponseError,
  UnsupportedValueTypeError,
  isThinqError,
  isThinqApiError,
  isNotLoggedInError,
  isNotConnectedError,
  isMonitorError,
  isFailedRequestError,
  isInvalidRequestError,
  isTokenError,
  isMalformedResponseError,
  isConnectApiError,
  isRateLimitedError,
  isControlValidationError,
} from './errors.js';
export {
  ThinqApiError,
  NotLoggedInError,
  NotConnectedError,
  FailedRequestError,
  TermsNotAgreedError,
  InvalidRequestError,
  DeviceNotFoundError,
  TokenError,
  MonitorError,
} from './v1/errors.js';
export { ConnectApiError, RateLimitedError, ControlValidationError, CONNECT_ERROR_CODES } from './connect/errors.js';
export type { ConnectErrorInit } from './connect/errors.js';

// Shared: model decoding, status views, signatures.
export { ModelInfo } from './model.js';
export type { BitField, ControlCommand, ModelJson, ModelValue, MonitorData, WarningHandler } from './model.js';
export { airConditionerStatus, dishwasherStatus, dryerStatus, refrigeratorStatus, statusKindOf, statusView, washerStatus } from './status.js';
export type {
  AirConditionerStatus,
  DishwasherStatus,
  DryerStatus,
  RefrigeratorStatus,
  StatusKind,
  StatusViewOptions,
  WasherStatus,
} from './status.js';
export { createMessageId, formatLgDate, oauthSignature } from './signature.js';

// Display layer: words for Connect values and property names and for v1 labels (the raw value stays the caller's).
export { displayLabel, displayProperty, displayValue, humanize, isV1Label } from './display/display.js';
export type { DisplayOptions, LangPack } from './display/display.js';
export { displayState } from './display/display-state.js';
export type { DisplayItem } from './display/display-state.js';
export { LangPackLoader, langPackUris, parseLangPack } from './display/lang-pack.js';
export type { LangPackLoaderOptions, LangPackUris } from './display/lang-pack.js';
export { VERSION } from './version.js';
export type { CallOptionsArg } from './call-options.js';

// ThinQ v1.
export { V1Client, parseOAuthCallback } from './v1/client.js';
export type { V1Gateway, V1StateFile, V1Tokens } from './v1/client.js';
export type { V1ClientOptions } from './v1/options.js';
export type { V1Device } from './v1/device-list.js';
export { V1Monitor, V1MonitorSession } from './v1/session.js';
export type { MonitorFrame, WatchOptions } from './v1/session.js';
export { V1AirConditioner, V1Refrigerator } from './v1/devices.js';

// ThinQ Connect.
export { ConnectClient, newConnectClientId } from './connect/client.js';
export type { ConnectCertificate, ConnectDevice, ConnectRoute } from './connect/client.js';
export type { ConnectClientOptions } from './connect/options.js';
export type { EnergyPeriod, EnergyUsage, EnergyUsageEntry, EnergyUsageQuery } from './connect/energy.js';
export { DeviceProfile, stateOfLocation } from './connect/profile.js';
export { mergeState } from './connect/merge-state.js';
export { readTemperature, temperaturePayload } from './connect/temperature.js';
export type { TemperatureOptions, TemperatureUnit } from './connect/temperature.js';
export type { ControlPayload, DeviceState, LocationStyle, PropertySpec, RangeSpec, ResourceMap, ResourceSpec } from './connect/profile.js';
export { connectRegionOf } from './connect/region.js';
export type { ConnectRegion } from './connect/region.js';
export { ConnectPush } from './connect/session.js';
export type { ConnectPushEvents, ConnectPushOptions } from './connect/session.js';
export type { PushEvent, PushNotificationEvent, PushOtherEvent, PushStatusEvent } from './connect/push-events.js';
export { createCsr, generateClientKeyPair } from './connect/x509.js';
export type { ClientKeyPair } from './connect/x509.js';
