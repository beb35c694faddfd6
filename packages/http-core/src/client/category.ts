import { type ErrorCategory, isTimeoutError, isXError } from '../errors.js';
import { type ErrorClass, classifyError } from '../retry.js';

export type { ErrorCategory };

const RETRY_CLASS: Readonly<Record<ErrorCategory, ErrorClass>> = {
  throttled: 'throttled',
  transient: 'transient',
  timeout: 'transient',
  aborted: 'aborted',
  auth: 'client',
  protocol: 'client',
  input: 'client',
  'not-found': 'client',
  conflict: 'client',
};

/** How the retry loop treats an error of this category. */
export function retryClassOf(category: ErrorCategory): ErrorClass {
  return RETRY_CLASS[category];
}

/**
 * The retry class of a failure: the category the client's `classify` hook gave it, else the
 * error's own category (throttled, transient and timeout are retried), else the built-in rules
 * for errors that carry none. A spent overall deadline is never retried.
 */
export function retryClass(error: unknown, hookCategory: ErrorCategory | undefined): ErrorClass {
  if (isTimeoutError(error) && error.phase === 'deadline') return 'aborted';
  if (hookCategory !== undefined) return retryClassOf(hookCategory);
  return isXError(error) ? retryClassOf(error.category) : classifyError(error);
}
