import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { onAbort } from '../call-scope.js';
import { AbortError, SizeLimitError } from '../errors.js';
import { safeJoin, tempPathFor } from '../files.js';
import type { Logger } from '../logger.js';
import type { DownloadOptions, DownloadProgress, DownloadResult, HttpResponse, RequestOptions } from './types.js';

type StreamRequest = (options: RequestOptions) => Promise<HttpResponse<Readable>>;

function lastPathSegment(path: string): string {
  const withoutQuery = path.split(/[?#]/)[0] ?? '';
  const segment = withoutQuery.split('/').pop() ?? '';
  let name = segment;
  try {
    name = decodeURIComponent(segment);
  } catch {
    // keep the raw segment
  }
  if (name === '') throw new TypeError('fileName is required when the path does not end in a file name');
  return name;
}

function checkDownloadOptions(call: DownloadOptions): void {
  if (typeof call !== 'object' || call === null) throw new TypeError('options must be an object');
  const { dir, to, maxBytes, onProgress } = call;
  if ((dir === undefined) === (to === undefined)) throw new TypeError('Pass exactly one of dir and to');
  if (to !== undefined && (typeof to !== 'object' || to === null || typeof to.write !== 'function')) throw new TypeError('to must be a writable stream');
  if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 0)) {
    throw new RangeError(`maxBytes must be an integer >= 0, got ${String(maxBytes)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('onProgress must be a function');
}

/** Counts bytes, enforces `maxBytes` and reports progress. */
function byteCounter(url: string, bytesTotal: number | undefined, maxBytes: number | undefined, onProgress: ((p: DownloadProgress) => void) | undefined): Transform & { bytesDone: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytesDone += chunk.length;
      const bytesDone = counter.bytesDone;
      if (maxBytes !== undefined && bytesDone > maxBytes) {
        callback(new SizeLimitError(maxBytes, bytesDone, `Download of ${url} exceeds maxBytes ${maxBytes}`));
        return;
      }
      try {
        onProgress?.({ bytesDone, bytesTotal });
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, chunk);
    },
  }) as Transform & { bytesDone: number };
  counter.bytesDone = 0;
  return counter;
}

/** Streams a response into a file (written to a temporary name, then renamed) or a writable stream. */
export async function download(request: StreamRequest, logger: Logger | undefined, call: DownloadOptions): Promise<DownloadResult> {
  checkDownloadOptions(call);
  const { dir, fileName, to, maxBytes, onProgress, ...rest } = call;
  const finalPath = dir === undefined ? undefined : safeJoin(dir, fileName ?? lastPathSegment(call.path));
  const res = await request({ ...rest, responseType: 'stream' });
  const lengthHeader = res.headers['content-length'];
  const bytesTotal = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  if (maxBytes !== undefined && bytesTotal !== undefined && bytesTotal > maxBytes) {
    res.body.destroy();
    throw new SizeLimitError(maxBytes, bytesTotal, `Download of ${res.url} is ${bytesTotal} bytes, over maxBytes ${maxBytes}`);
  }
  const counter = byteCounter(res.url, bytesTotal, maxBytes, onProgress);
  const signal = call.signal;
  // The pipeline gets a signal of its own, fed through the one shared listener on the caller's.
  const stop = new AbortController();
  const unsubscribe = signal === undefined ? undefined : onAbort(signal, () => stop.abort(signal.reason));
  if (signal?.aborted) stop.abort(signal.reason);
  const temp = finalPath === undefined ? undefined : tempPathFor(finalPath);
  try {
    await pipeline(res.body, counter, to ?? createWriteStream(temp as string, { flags: 'wx' }), { signal: stop.signal });
    if (temp !== undefined) await rename(temp, finalPath as string);
  } catch (error) {
    res.body.destroy();
    if (temp !== undefined) await rm(temp, { force: true });
    throw signal?.aborted ? new AbortError(signal.reason) : error;
  } finally {
    unsubscribe?.();
  }
  if (finalPath === undefined) return { bytes: counter.bytesDone };
  logger?.info('http download complete', { url: res.url, bytes: counter.bytesDone, requestId: res.requestId });
  return { path: finalPath, bytes: counter.bytesDone };
}
