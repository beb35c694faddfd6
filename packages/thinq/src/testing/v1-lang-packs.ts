/**
 * The simulator's lang packs, in LG's format (`{ "pack": { label: text } }`), served like LG's signed
 * object-store links (`…/lang/<name>?hdnts=exp=…~hmac=…`; the simulator ignores the token). The words
 * are our own and deliberately differ from the display layer's tables, so a test can tell them apart.
 */
import type { Router } from '@x/http-core/testing';
import { sendJson } from '@x/http-core/testing';

/** Pack documents by name: one per product type (`WM`, `AC`…) and one per model name. */
export const SIM_LANG_PACKS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'product-WM': {
    version: '1.0',
    pack: {
      '@WM_STATE_RUNNING_W': 'Washing',
      '@WM_STATE_RINSING_W': 'Rinsing now',
      '@WM_STATE_END_W': 'All done',
      '@WM_OPTION_SPIN_HIGH_W': 'Spin: high',
      '@CP_ON_EN_W': 'Enabled',
    },
  },
  'model-SIMWASH_W1': { version: '0.7', pack: { '@WM_STATE_RUNNING_W': 'Washing (SIMWASH)' } },
  common: { version: '3.2', pack: { '@CP_OFF_EN_W': 'Disabled', '@CP_ON_EN_W': 'Switched on' } },
};

/** The link of pack `name` on the simulator at `base` (signed like LG's; the token is not checked). */
export function simLangPackUrl(base: string, name: string): string {
  return `${base}/lang/${encodeURIComponent(name)}?hdnts=exp=1806130873~hmac=5151${name.length}`;
}

/** Serves `GET /lang/:name` (404 for an unknown pack). */
export function mountLangPacks(router: Router): void {
  router.get('/lang/:name', (_req, res, params) => {
    const doc = SIM_LANG_PACKS[params.name ?? ''];
    if (doc === undefined) return sendJson(res, 404, { error: 'no such lang pack' });
    sendJson(res, 200, doc);
  });
}
