// `npm run bench` is a measurement, not a test: here it only has to run on a small corpus and print
// every field the issue asks for (numbers are not judged; CI machines differ).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT, WORKSPACE } from './helpers';

test('the benchmark runs on a given checkout and prints every field', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bench.mjs'), '--no-corpus', WORKSPACE], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 0, run.stderr);
  const [corpus, server] = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  for (const field of ['files', 'mb', 'raw_parse_s', 'scan_s', 'scan_vs_raw_parse', 'astgrep_s', 'scan_vs_astgrep', 'ts_files', 'ts_parse_s', 'ts_scan_s', 'ts_scan_vs_ts_parse', 'index_s', 'rss_mb_peak', 'findings']) {
    assert.equal(typeof corpus[field], 'number', `${field} in ${JSON.stringify(corpus)}`);
  }
  // Every finding of test-workspace, from both scans: the scans ran on the right files.
  assert.ok(corpus.findings > 50, String(corpus.findings));
  for (const field of ['cold_start_ms', 'keystroke_p50_ms', 'keystroke_p99_ms']) assert.equal(typeof server[field], 'number', `${field} in ${JSON.stringify(server)}`);
  assert.equal(server.edits, 500);
});
