/** What ConnectPush delivers: status reports, notifications and other push messages. */
import type { DeviceState } from './profile.js';

/** A `DEVICE_STATUS` report, merged into the cached state of the device. */
export interface PushStatusEvent {
  type: 'status';
  deviceId: string;
  deviceType: string | undefined;
  /** The partial state that changed (`{resource: {property: value}}`). */
  report: Record<string, unknown>;
  /** The cached state after the merge (undefined when no state was known and none could be built). */
  state: DeviceState | undefined;
  raw: Record<string, unknown>;
}

/** A `DEVICE_PUSH` notification (e.g. `WASHING_IS_COMPLETE`). */
export interface PushNotificationEvent {
  type: 'notification';
  deviceId: string;
  deviceType: string | undefined;
  pushCode: string;
  raw: Record<string, unknown>;
}

/** Any other message (account events such as device registration). */
export interface PushOtherEvent {
  type: 'other';
  pushType: string | undefined;
  raw: Record<string, unknown>;
}

/** One ConnectPush event; `type` tells which (`status`, `notification` or `other`). */
export type PushEvent = PushStatusEvent | PushNotificationEvent | PushOtherEvent;

