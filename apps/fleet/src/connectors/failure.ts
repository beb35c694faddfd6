// How a vendor failure shows in /api/status: decided by the error's category (@x/http-core's
// `errorCategory`, which every @x error carries and which follows `cause`), never by its name.
import { errorCategory, type ErrorCategory } from '@x/http-core';
import type { ConnectorState } from '../model.js';

export type FailureState = Extract<ConnectorState, 'degraded' | 'unauthorised'>;

/** What the app does about one category: the state it shows. Every failure is retried with backoff. */
const STATE_OF: Readonly<Record<ErrorCategory, FailureState>> = {
  // Rejected credentials or a refused token: only the user can fix it, so say so.
  auth: 'unauthorised',
  // The vendor is busy or unreachable: it comes back by itself.
  throttled: 'degraded',
  transient: 'degraded',
  timeout: 'degraded',
  // The vendor answered something the fleet cannot use (bad request, unknown id, a version
  // conflict, unparseable bytes): the data is not flowing, and a later try may succeed once the
  // vendor or its data changed.
  input: 'degraded',
  protocol: 'degraded',
  'not-found': 'degraded',
  conflict: 'degraded',
  // Cancelled work the fleet did not cancel itself (its own stop is checked before this).
  aborted: 'degraded',
};

/** The state for a failure: 'unauthorised' for the 'auth' category, else 'degraded' (uncategorised errors too). */
export function failureState(error: unknown): FailureState {
  const category = errorCategory(error);
  return category === undefined ? 'degraded' : STATE_OF[category];
}

/** Whether the failure means the credentials were refused (the vendor will not accept a retry). */
export function isAuthFailure(error: unknown): boolean {
  return errorCategory(error) === 'auth';
}
