/** ThinQ Connect regions: the `{region}` of `https://api-{region}.lgthinq.com`. */
export type ConnectRegion = 'kic' | 'aic' | 'eic';

// Country lists per region, as published in LG's pythinqconnect (`country.py`).
const REGIONS: Readonly<Record<ConnectRegion, readonly string[]>> = {
  kic: 'AU BD CN HK ID IN JP KH KR LA LK MM MY NP NZ PH SG TH TW VN'.split(' '),
  aic: 'AG AR AW BB BO BR BS BZ CA CL CO CR CU DM DO EC GD GT GY HN HT JM KN LC MX NI PA PE PR PY SR SV TT US UY VC VE'.split(' '),
  eic: (
    'AE AF AL AM AO AT AZ BA BE BF BG BH BJ BY CD CF CG CH CI CM CV CY CZ DE DJ DK DZ EE EG ES ET FI FR GA GB GE GH GM GN GQ ' +
    'GR HR HU IE IL IQ IR IS IT JO KE KG KW KZ LB LR LT LU LV LY MA MD ME MK ML MR MT MU MW NE NG NL NO OM PK PL PS PT QA RO ' +
    'RS RU RW SA SD SE SI SK SL SN SO ST SY TD TG TN TR TZ UA UG UZ XK YE ZA ZM'
  ).split(' '),
};

/** The Connect region serving `country` (ISO 3166 alpha-2, upper case). Throws RangeError for unsupported countries. */
export function connectRegionOf(country: string): ConnectRegion {
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) {
    throw new TypeError('country must be a two-letter upper-case ISO 3166 code');
  }
  for (const region of ['kic', 'aic', 'eic'] as const) if (REGIONS[region].includes(country)) return region;
  throw new RangeError(`country: ${country} is not supported by ThinQ Connect`);
}

/** Every country code ThinQ Connect supports. */
export function connectCountries(): string[] {
  return [...REGIONS.kic, ...REGIONS.aic, ...REGIONS.eic].sort();
}

/** `https://api-{region}.lgthinq.com/` for `country`. */
export function connectBaseUrl(country: string): string {
  return `https://api-${connectRegionOf(country)}.lgthinq.com/`;
}
