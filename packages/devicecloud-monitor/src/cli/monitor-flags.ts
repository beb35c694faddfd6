/** The monitor flags `create` and `listen` share. */
import { UsageError } from '@x/http-core/cli';
import type { CompressionOption, FormatOption } from '../monitor-model.js';

export const MONITOR_FLAGS = {
  topics: { type: 'list', description: 'topics, e.g. DeviceCore,DataPoint', required: true },
  compression: { type: 'string', description: 'payload compression', choices: ['none', 'zlib', 'gzip'] },
  format: { type: 'string', description: 'payload format', choices: ['json', 'xml'] },
  batchsize: { type: 'integer', description: 'events per batch', min: 1 },
  batchduration: { type: 'integer', description: 'seconds per batch', min: 0 },
} as const;

export interface MonitorFlagValues {
  topics: string[];
  compression?: string | undefined;
  format?: string | undefined;
  batchsize?: number | undefined;
  batchduration?: number | undefined;
}

export function topicsOf(topics: readonly string[]): string[] {
  const list = topics.map((t) => t.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--topics is required (e.g. DeviceCore,DataPoint)');
  return list;
}

/** The monitor options the flags give (choices were checked by the kit). */
export function monitorOptionsOf(values: MonitorFlagValues) {
  return {
    ...(values.compression !== undefined ? { compression: values.compression as CompressionOption } : {}),
    ...(values.format !== undefined ? { format: values.format as FormatOption } : {}),
    ...(values.batchsize !== undefined ? { batchSize: values.batchsize } : {}),
    ...(values.batchduration !== undefined ? { batchDurationInSeconds: values.batchduration } : {}),
  };
}
