/** The last argument of every public async method: CallOptions, or (deprecated) a bare AbortSignal. */
import { validateCallOptions, type CallOptions } from '@x/http-core';

/** Call options or, as before 0.2, a bare AbortSignal (kept working; deprecated). */
export type CallOptionsArg = CallOptions | AbortSignal | undefined;

/** Normalises and checks a method's last argument (TypeError/RangeError naming `where`). */
export function callOptions(arg: CallOptionsArg, where: string): CallOptions {
  if (arg instanceof AbortSignal) return { signal: arg };
  return validateCallOptions(arg, where);
}
