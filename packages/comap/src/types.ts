/** Parsed shapes of the WebSupervisor v1.1 responses (dates as `Date`, see `dates.ts`). */

/** The token the Identity API issues (`POST /identity/application/authenticate`). */
export interface TokenResponse {
  token_type: string;
  /** Seconds until the token expires (3599 in practice). */
  expires_in: number;
  /** Seconds to expiry during an outage of the token service. */
  ext_expires_in: number;
  access_token: string;
}

/** A unit (controller) the login can see, from `units()`. */
export interface Unit {
  name: string;
  unitGuid: string;
  /** Link to the unit in WebSupervisor ('' when the server sends none). */
  url: string;
}

/** A value's reading: a string, a number, or a list "if applicable"; null when the server sends none. */
export type ComapValue = string | number | unknown[] | null;

/** One current value of a unit, from `values()`: reading, engineering unit, limits, and when it was read. */
export interface UnitValue {
  name: string;
  valueGuid: string;
  value: ComapValue;
  unit: string;
  /** 0 when not applicable. */
  highLimit: number;
  /** 0 when not applicable. */
  lowLimit: number;
  decimalPlaces: number;
  timeStamp: Date;
}

/** A unit's details, from `info()`. */
export interface UnitInfo {
  name: string;
  unitGuid: string;
  ownerLoginId: string;
  applicationType: string;
  timezone: string;
  connection: {
    enabled: boolean;
    airGateId: string;
    ipAddress: string;
    port: number | null;
    controllerAddress: number | null;
  };
  /** Latitude/longitude come as strings or numbers; numbers here (null when absent or not numeric). */
  position: { positionType: string; latitude: number | null; longitude: number | null };
}

/** What one login may do with a unit. */
export interface Permission {
  loginId: string;
  read: boolean;
  control: boolean;
  modify: boolean;
  shutdownNote: boolean;
  allAlarmsNote: boolean;
}

/** Who may do what with a unit, from `permissions()`. */
export interface UnitPermissions {
  name: string;
  unitGuid: string;
  permissions: Permission[];
}

/** A comment on a unit, from `comments()`. */
export interface Comment {
  id: number | string;
  /** From `author`, or the documented misspelling `auhtor`; HTML character references decoded. */
  author: string;
  date: Date;
  /** HTML character references decoded (`&#x2F;` → `/`). */
  text: string;
  active: boolean;
}

/** A file stored for a unit, from `files()`; fetch it with `download()`. */
export interface UnitFile {
  fileName: string;
  fileType: string;
  generated: Date;
}

/** One reading in a value's history, valid from `validFrom` to `validTo`. */
export interface HistoryPoint {
  value: ComapValue;
  /** When the value was first read; absent in newer responses. */
  validFrom?: Date;
  /** When the value was last read. */
  validTo: Date;
}

/** The history of one value, from `history()`. */
export interface HistoryValue {
  name: string;
  valueGuid: string;
  unit?: string;
  decimalPlaces?: number;
  history: HistoryPoint[];
}

/** One history entry with the value it belongs to (the element of `historyEntries()`). */
export interface HistoryEntry extends HistoryPoint {
  valueGuid: string;
  name: string;
  unit?: string;
  decimalPlaces?: number;
}

/** The last rate-limit headers seen (`X-RateLimit-Limit`, `X-RateLimit-Remaining`). */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  /** Clock time (ms) when the headers were read. */
  at: number;
}
