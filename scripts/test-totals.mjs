// Prints "N passed, N failed" from a vitest JSON report; exits 1 when a test failed, the
// report is missing, or it ran no test at all.
import { existsSync, readFileSync } from 'node:fs';

const [file, prefix = ''] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.log(`${prefix}0 passed, 1 failed`);
  console.error(`test-totals: no report at ${file ?? '(none given)'}`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
// A test file that failed without a failed test (it did not load, or a hook threw) counts too.
const failed = (report.numFailedTests ?? 0) + countFilesFailedOutsideTests(report);
console.log(`${prefix}${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

function countFilesFailedOutsideTests(r) {
  return (r.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
}
