#!/usr/bin/env node
import { main } from './cli-main.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => controller.abort());
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`comap: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
