/** Public face of @x/sepl-connector. */
export { SeplConnector, type ConnectorState, type ReconnectingInfo, type SeplConnectorEvents, type SeplDisconnectedEvent } from './client.js';
export type { ReconnectOptions, SeplConnectorOptions } from './options.js';
export { SeplSession, socketEndError, type ReadyInfo, type SeplLink, type SeplOpening, type SeplProtocol, type SeplSessionExtraEvents, type SeplSessionSteps } from './session.js';
export type { OpenSocket, SeplSocket, SocketEnd, SocketOptions } from './socket.js';
export { normalizeParts, parseCommand, responsePayload, type ProtocolPart, type ProtocolPartsInput, type SeplCommand } from './command.js';
export { configFromEnv, type SeplEnvConfig, type SeplLogLevel } from './config.js';
export { loggerFor } from './log.js';
export { deviceHash, gatewayHash, tagStrings, validateDevice, type SeplDevice, type SeplTags } from './device.js';
export type { DeviceStore } from './store.js';
export { MemoryDeviceStore } from './memory-store.js';
export { FileDeviceStore } from './file-store.js';
export { DEFAULT_HANDLERS, g2CredentialsFrame, g2RequestFrame, parseG2Inbound, type G2Inbound, type HandlerNames } from './g2-frames.js';
export { G1_UPDATE_FRAME, g1CredentialsFrame, g1EventMessage, g1OutboundFrame, g1RegistrationBody, parseG1Inbound } from './g1-frames.js';
export { GRANULARITIES, bucketStart, checkGranularity, isGranularity, timeWindowToMs, type Granularity, type TimeWindow } from './granularity.js';
export { AverageClient, parseAverageRows, type AverageClientOptions, type AverageQuery, type AverageRow } from './average.js';
export { g3DeviceHash, g3HubHash, type G3HashedDevice } from './g3-hash.js';
export { OpenIdTokenProvider, type OpenIdCredentials } from './g3-openid.js';
export { createG3Http, type G3Http } from './g3-http.js';
export { G3PlatformClient, type G3Device, type G3Hub, type G3PlatformEndpoints } from './g3-platform.js';
export { G3Session, type G3SessionExtraEvents, type G3SessionOptions } from './g3-session.js';
export { G3Connector, type G3ConnectorOptions, type G3ReadyInfo } from './g3-connector.js';
export { G3_QOS, decodeG3Command, g3Topics, type G3Command, type G3Data } from './g3-messages.js';
export { createHttpLib, type HttpLib, type HttpLibOptions, type HttpLibRequestOptions, type HttpLibResponse } from './http-lib.js';
export {
  SeplAuthError,
  SeplError,
  SeplNotConnectedError,
  SeplOverflowError,
  SeplPlatformError,
  SeplProtocolError,
  SeplRequestError,
  SeplStoreError,
  SeplTimeoutError,
  SeplUnsupportedError,
  isSeplAuthError,
  isSeplNotConnectedError,
  isSeplOverflowError,
  isSeplPlatformError,
  isSeplProtocolError,
  isSeplRequestError,
  isSeplStoreError,
  isSeplTimeoutError,
  isSeplUnsupportedError,
} from './errors.js';
