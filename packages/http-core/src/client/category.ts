import type { ErrorCategory } from '../errors.js';
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

/** The retry class of a failure: a client `classify` hook first, then the built-in rules. */
export function retryClass(error: unknown, classify: ((error: unknown) => ErrorCategory | undefined) | undefined): ErrorClass {
  const category = classify?.(error);
  return category === undefined ? classifyError(error) : retryClassOf(category);
}
