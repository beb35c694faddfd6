/**
 * A fleet's files kept in a folder: every unit's files downloaded once into `<dir>/<unitGuid>/`,
 * what is already there skipped, sizes checked against Content-Length, each file written under a
 * temporary name and moved into place only when complete, never over an existing file unless asked.
 */
import { link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortError, errorCategory, isAbortError, safeJoin, type CallOptions, type ErrorCategory } from '@x/http-core';
import { ComapResponseError } from './errors.js';
import type { UnitFile } from './types.js';
import type { WSV } from './wsv.js';

/** Options of `archiveFiles`. */
export interface ArchiveOptions extends CallOptions {
  /** The archive folder (created when missing). */
  dir: string;
  /** Unit GUIDs to archive; default every unit of the login. */
  units?: readonly string[];
  /** Only files generated at or after this instant. */
  since?: Date;
  /** Replace a file that is already there (default false: it is skipped and never touched). */
  overwrite?: boolean;
  /** Fail a file (nothing kept) beyond this many bytes. */
  maxBytes?: number;
}

/** One file of the archive: fetched now (`downloaded`, or `replaced` with `overwrite`), or `present` already. */
export interface ArchiveFileEvent {
  type: 'file';
  unitGuid: string;
  fileName: string;
  fileType: string;
  generated: Date;
  path: string;
  status: 'downloaded' | 'replaced' | 'present';
  /** Bytes of the file on disk. */
  bytes: number;
}

/** A unit whose file list, or a file that, could not be fetched (after the client's retries); the archive goes on. */
export interface ArchiveErrorEvent {
  type: 'error';
  unitGuid: string;
  fileName?: string;
  error: unknown;
  category: ErrorCategory | undefined;
}

/** The end of a run: counts and bytes downloaded. */
export interface ArchiveSummaryEvent {
  type: 'summary';
  units: number;
  downloaded: number;
  present: number;
  failed: number;
  bytes: number;
}

/** What `archiveFiles` reports as it goes: a file written or skipped, a file or unit that failed, and the closing summary. */
export type ArchiveEvent = ArchiveFileEvent | ArchiveErrorEvent | ArchiveSummaryEvent;

function checkOptions(o: ArchiveOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('archiveFiles() options must be an object');
  if (typeof o.dir !== 'string' || o.dir === '') throw new TypeError('archiveFiles() options.dir must be a non-empty string');
  if (o.units !== undefined && (!Array.isArray(o.units) || o.units.some((u) => typeof u !== 'string' || u === ''))) throw new TypeError('archiveFiles() options.units must be an array of unit GUIDs');
  if (o.since !== undefined && (!(o.since instanceof Date) || Number.isNaN(o.since.getTime()))) throw new TypeError('archiveFiles() options.since must be a valid Date');
  if (o.overwrite !== undefined && typeof o.overwrite !== 'boolean') throw new TypeError('archiveFiles() options.overwrite must be a boolean');
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Moves a complete temporary file into place: over an existing one only with `overwrite` (else a link that fails when the name is taken). */
async function moveIntoPlace(temp: string, path: string, overwrite: boolean): Promise<boolean> {
  if (overwrite) {
    await rename(temp, path);
    return true;
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Downloads one file into the unit's folder (checked against Content-Length) and reports where it went. */
async function fetchFile(client: WSV, unitGuid: string, file: UnitFile, folder: string, options: ArchiveOptions): Promise<ArchiveFileEvent> {
  const path = safeJoin(folder, file.fileName);
  const base = { type: 'file' as const, unitGuid, fileName: file.fileName, fileType: file.fileType, generated: file.generated, path };
  const existing = await sizeOf(path);
  if (existing !== undefined && options.overwrite !== true) return { ...base, status: 'present', bytes: existing };
  const tempName = `.${file.fileName}.${process.pid}.partial`;
  let announced: number | undefined;
  const call: Parameters<WSV['download']>[3] = { onProgress: (p) => (announced = p.bytesTotal) };
  if (options.signal !== undefined) call.signal = options.signal;
  if (options.timeoutInMs !== undefined) call.timeoutInMs = options.timeoutInMs;
  if (options.deadlineInMs !== undefined) call.deadlineInMs = options.deadlineInMs;
  if (options.maxBytes !== undefined) call.maxBytes = options.maxBytes;
  const result = await client.download(unitGuid, file.fileName, { dir: folder, fileName: tempName }, call);
  const temp = result.path ?? join(folder, tempName);
  if (announced !== undefined && announced !== result.bytes) {
    await rm(temp, { force: true });
    throw new ComapResponseError(`download of ${file.fileName}: ${result.bytes} bytes received, Content-Length said ${announced}`, { contentLength: announced, bytes: result.bytes });
  }
  const moved = await moveIntoPlace(temp, path, options.overwrite === true);
  // Someone else wrote the file meanwhile: theirs is kept.
  if (!moved) return { ...base, status: 'present', bytes: (await sizeOf(path)) ?? 0 };
  return { ...base, status: existing === undefined ? 'downloaded' : 'replaced', bytes: result.bytes };
}

const failure = (unitGuid: string, error: unknown, fileName?: string): ArchiveErrorEvent => ({ type: 'error', unitGuid, ...(fileName === undefined ? {} : { fileName }), error, category: errorCategory(error) });

/**
 * Archives the files of a login's units (or `units`) into `<dir>/<unitGuid>/<fileName>`, one at a
 * time within the client's rate limit, as an async iterator of events: a `file` per file
 * (`downloaded`, `replaced`, or `present` and skipped without a request), an `error` per unit or
 * file that failed (the run goes on), then a `summary`. Run it again to fetch only what is new.
 * Aborting ends it with an AbortError; a partial download never stays behind.
 */
export async function* archiveFiles(client: WSV, options: ArchiveOptions): AsyncGenerator<ArchiveEvent, void, undefined> {
  checkOptions(options);
  const call: CallOptions = options.signal === undefined ? {} : { signal: options.signal };
  const units = options.units ?? (await client.units(call)).map((u) => u.unitGuid);
  const summary: ArchiveSummaryEvent = { type: 'summary', units: units.length, downloaded: 0, present: 0, failed: 0, bytes: 0 };
  for (const unitGuid of units) {
    let files: UnitFile[];
    try {
      files = await client.files(unitGuid, { ...call, ...(options.since === undefined ? {} : { since: options.since }) });
    } catch (error) {
      if (isAbortError(error)) throw error;
      summary.failed += 1;
      yield failure(unitGuid, error);
      continue;
    }
    const folder = safeJoin(options.dir, unitGuid);
    await mkdir(folder, { recursive: true });
    for (const file of files) {
      if (options.signal?.aborted) throw new AbortError(options.signal.reason);
      try {
        const event = await fetchFile(client, unitGuid, file, folder, options);
        if (event.status === 'present') summary.present += 1;
        else {
          summary.downloaded += 1;
          summary.bytes += event.bytes;
        }
        yield event;
      } catch (error) {
        if (isAbortError(error)) throw error;
        summary.failed += 1;
        yield failure(unitGuid, error, file.fileName);
      }
    }
  }
  yield summary;
}
