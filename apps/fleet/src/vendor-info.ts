// The static half of the vendor registry (src/registry.ts): ids, labels, config sections, secret
// fields and environment variables. Pure data with no imports, so the dashboard's browser bundle
// derives its labels from the same list the service parses its configuration with.

export const VENDOR_INFO = [
  {
    id: 'comap',
    kind: 'collector',
    label: 'ComAp',
    secretFields: ['secret', 'key'],
    env: [
      ['loginId', 'COMAP_LOGIN_ID'],
      ['clientId', 'COMAP_CLIENT_ID'],
      ['secret', 'COMAP_SECRET'],
      ['key', 'COMAP_KEY'],
    ],
  },
  {
    id: 'devicecloud',
    kind: 'collector',
    label: 'Digi Device Cloud',
    secretFields: ['password'],
    env: [
      ['username', 'DEVICECLOUD_USERNAME'],
      ['password', 'DEVICECLOUD_PASSWORD'],
      ['baseUrl', 'DEVICECLOUD_URL'],
    ],
  },
  {
    id: 'thinq',
    kind: 'collector',
    label: 'LG ThinQ',
    secretFields: ['accessToken', 'refreshToken'],
    env: [
      ['accessToken', 'THINQ_ACCESS_TOKEN'],
      ['country', 'THINQ_COUNTRY'],
      ['refreshToken', 'THINQ_REFRESH_TOKEN'],
    ],
  },
  {
    id: 'sepl',
    kind: 'bridge',
    label: 'SEPL',
    secretFields: ['password'],
    env: [
      ['url', 'SEPL_URL'],
      ['user', 'SEPL_USER'],
      ['password', 'SEPL_PASSWORD'],
      ['protocol', 'SEPL_PROTOCOL'],
      ['g3.tokenUrl', 'SEPL_G3_TOKEN_URL'],
      ['g3.clientId', 'SEPL_G3_CLIENT_ID'],
      ['g3.hubUrl', 'SEPL_G3_HUB_URL'],
      ['g3.deviceUrl', 'SEPL_G3_DEVICE_URL'],
      ['g3.mqttUrl', 'SEPL_G3_MQTT_URL'],
      ['g3.ca', 'SEPL_G3_CA'],
      ['g3.hubName', 'SEPL_G3_HUB_NAME'],
    ],
  },
] as const satisfies ReadonlyArray<{
  /** Also the configuration section's name and the fault target's. */
  id: string;
  /** 'collector': a cloud whose devices the fleet collects; 'bridge': the platform the fleet publishes to. */
  kind: 'collector' | 'bridge';
  label: string;
  /** Keys of the section whose values are secrets (hidden in config errors, scrubbed from output). */
  secretFields: readonly string[];
  /** [key of the section (`a.b` for a key of its object `a`), environment variable that sets it]. */
  env: ReadonlyArray<readonly [string, string]>;
}>;

export type VendorInfo = (typeof VENDOR_INFO)[number];
/** Every registry id: the three clouds and the SEPL bridge. */
export type VendorId = VendorInfo['id'];
/** The clouds devices come from (the fleet's `Vendor`). */
export type CollectorId = Extract<VendorInfo, { kind: 'collector' }>['id'];

export const VENDOR_IDS: readonly VendorId[] = VENDOR_INFO.map((v) => v.id);

export const COLLECTOR_IDS = VENDOR_INFO.flatMap((v) => (v.kind === 'collector' ? [v.id] : [])) as readonly CollectorId[];

export const VENDOR_LABELS = Object.fromEntries(VENDOR_INFO.map((v) => [v.id, v.label])) as Readonly<Record<VendorId, string>>;

export function vendorInfo(id: VendorId): VendorInfo {
  const info = VENDOR_INFO.find((v) => v.id === id);
  if (info === undefined) throw new RangeError(`id must be one of ${VENDOR_IDS.join(', ')}, got ${JSON.stringify(id)}`);
  return info;
}
