// node:test reporter: one line per test, failures with their error, and the closing
// "N passed, N failed" line that CI reads.
export default async function* reporter(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for await (const event of source) {
    const { type, data } = event;
    if (type !== 'test:pass' && type !== 'test:fail') {
      if (type === 'test:diagnostic' && !/^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(data.message)) yield `# ${data.message}\n`;
      if (type === 'test:stderr' || type === 'test:stdout') yield data.message;
      continue;
    }
    if (data.details?.type === 'suite') continue;
    const name = `${'  '.repeat(data.nesting)}${data.name}`;
    if (type === 'test:pass') {
      if (data.skip) continue;
      passed++;
      yield `ok    ${name}\n`;
    } else {
      failed++;
      const error = data.details?.error;
      const cause = error?.cause ?? error;
      const text = cause?.stack ?? cause?.message ?? String(cause);
      failures.push(`${data.file ?? ''} › ${data.name}\n${text}`);
      yield `FAIL  ${name}\n`;
    }
  }
  if (failures.length) yield `\nFailures:\n\n${failures.join('\n\n')}\n\n`;
  yield `${passed} passed, ${failed} failed\n`;
}
