#!/usr/bin/env node
// Runs the unit tests with Vitest's JSON reporter and prints one line that CI reads:
//   vitest: N passed, M failed
// Exits non-zero when a test failed or Vitest could not run.
// Usage: node scripts/vitest-summary.mjs  (from web/, after npm ci)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = mkdtempSync(join(tmpdir(), 'vitest-'));
const outFile = join(outDir, 'results.json');
const vitest = join(webDir, 'node_modules', 'vitest', 'vitest.mjs');

const child = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outFile}`], {
  cwd: webDir,
  stdio: 'inherit',
  env: { ...process.env, CI: process.env.CI ?? 'true', FORCE_COLOR: '0' },
});

let passed = 0;
let failed = 0;
let ok = false;
try {
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  // A suite that fails to load counts as a failure even when no test in it ran.
  const brokenSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
  failed += brokenSuites;
  ok = report.success === true && failed === 0;
} catch (err) {
  console.error(`vitest-summary: no JSON report (${err.message})`);
  failed = Math.max(failed, 1);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

console.log(`vitest: ${passed} passed, ${failed} failed`);
process.exit(ok && child.status === 0 ? 0 : 1);
