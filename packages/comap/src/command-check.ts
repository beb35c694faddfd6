/**
 * Checks before a command moves a machine, from what the unit itself reports: `changeMode` must
 * name one of the unit's `modes_available` and the login must have the `control` permission.
 */
import { ComapCommandRefusedError } from './errors.js';
import type { ComapValue, UnitPermissions } from './types.js';

/** The modes in a `modes_available` value: a list, or text separated by commas, semicolons or spaces. */
export function availableModes(value: ComapValue): string[] | undefined {
  if (Array.isArray(value)) return value.filter((m): m is string => typeof m === 'string' && m.trim() !== '').map((m) => m.trim());
  if (typeof value === 'string') return value.split(/[,;\s]+/).filter((m) => m !== '');
  return undefined;
}

/** Throws ComapCommandRefusedError (`auth`) unless `loginId` may control the unit (case-insensitive login match). */
export function checkControl(permissions: UnitPermissions, loginId: string): void {
  const own = permissions.permissions.find((p) => p.loginId.toLowerCase() === loginId.toLowerCase());
  if (!own?.control) {
    throw new ComapCommandRefusedError(`login ${JSON.stringify(loginId)} may not control unit ${permissions.unitGuid}${own ? '' : ' (not in its permissions)'}`, 'auth');
  }
}

/** Throws ComapCommandRefusedError (`input`) unless `mode` is one of the modes (case-insensitive); returns the unit's spelling. */
export function checkMode(mode: string, modesValue: ComapValue, unitGuid: string): string {
  const modes = availableModes(modesValue);
  if (modes === undefined || modes.length === 0) throw new ComapCommandRefusedError(`unit ${unitGuid} reports no available modes: not sending changeMode`, 'input');
  const match = modes.find((m) => m.toLowerCase() === mode.trim().toLowerCase());
  if (match === undefined) throw new ComapCommandRefusedError(`mode ${JSON.stringify(mode)} is not available on unit ${unitGuid}: ${modes.join(', ')}`, 'input');
  return match;
}
