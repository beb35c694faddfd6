import { type ErrorClass, classifyError } from '../retry.js';

/** What kind of failure an error is; apps decide by it, never by error names. */
export type ErrorCategory = 'auth' | 'throttled' | 'transient' | 'timeout' | 'protocol' | 'input' | 'not-found' | 'conflict' | 'aborted';

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
