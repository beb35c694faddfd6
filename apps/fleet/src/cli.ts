#!/usr/bin/env node
// The `fleet` binary: main() with the real process's streams and signals.
import { main } from './main.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (): void => {
  signals += 1;
  if (signals > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal })
  .then((code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  })
  .catch((err: unknown) => {
    process.stderr.write(`fleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
