/** Public face of @x/devicecloud-monitor. */
export {
  PushProtocolError,
  PushAuthenticationError,
  PushConnectionError,
  PushHandlerError,
  isPushProtocolError,
  isPushAuthenticationError,
  isPushConnectionError,
  isPushHandlerError,
} from './errors.js';
export {
  MessageType,
  PUSH_PLAIN_PORT,
  PUSH_TLS_PORT,
  PROTOCOL_VERSION,
  FrameDecoder,
  encodeConnectionRequest,
  encodeConnectionResponse,
  encodePublishMessage,
  encodeAck,
  parseConnectionRequest,
  parseConnectionResponse,
  parsePublishMessage,
  parseAck,
} from './frame.js';
export type { Frame, Compression, Format, PublishMessage, ConnectionRequest } from './frame.js';
export { decodeDocument, inflateCapped, parseDocument } from './payload.js';
export { normalizeDocument } from './events.js';
export type {
  DecodeOptions,
  LongMode,
  MonitorEvent,
  MonitorEventBase,
  DataPointEvent,
  DeviceCoreEvent,
  FileDataEvent,
  OtherEvent,
  DataPoint,
  DeviceCore,
  FileData,
} from './events.js';
export { attribute, and, or, MonitorFields, quoteConditionValue } from './conditions.js';
export type { Attribute, Condition, ConditionValue } from './conditions.js';
export { tcpMonitorXml, httpMonitorXml, pollingMonitorXml, toMonitor } from './monitor-model.js';
export type {
  Monitor,
  MonitorCommonOptions,
  TcpMonitorOptions,
  HttpMonitorOptions,
  PollingMonitorOptions,
  CompressionOption,
  FormatOption,
  AckOption,
  TransportMethod,
} from './monitor-model.js';
export { DeviceCloudPushSession, PushSession, createPushSession } from './session.js';
export type { PushSessionExtraEvents, PushSessionState } from './session.js';
export type { PushBatch, PushHandler, PushSessionOptions, ReconnectOptions } from './session-options.js';
export { DEFAULT_PUSH_IDLE_TIMEOUT_IN_MS, DEFAULT_DEDUPE_WINDOW } from './session-options.js';
export { eventKey, resourceId } from './event-key.js';
export { DedupeWindow } from './dedupe-window.js';
export type { DataPointWrite, WrittenDataPoint, StreamType } from './data-points.js';
export type { DataStream, DataStreamCreate, ReadDataPointsQuery, StoredDataPoint } from './data-streams.js';
export type { RollupInterval, RollupMethod, RollupPoint, RollupQuery } from './data-rollups.js';
export type { MonitorHistoryQuery, MonitorHistoryPage, FollowHistoryOptions } from './monitor-history.js';
export type { MonitorHistoryOutputPage } from './history-template.js';
export { MAX_SCHEMA_LENGTH } from './history-template.js';
export type { MonitorInventoryItem, MonitorInventoryQuery } from './monitor-inventory.js';
export { DeviceFields } from './devices.js';
export type { Device } from './devices.js';
export { DeviceCloudClient, DEFAULT_BASE_URL } from './client.js';
export type { CallOptions } from './client.js';
export type { DeviceCloudClientOptions } from './options.js';
export { createMonitorRequestHandler, startMonitorReceiver } from './http-receiver.js';
export type { MonitorReceiverOptions, MonitorReceiver, DeliveryInfo } from './http-receiver.js';
