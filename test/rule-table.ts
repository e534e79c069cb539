// ESLint-style rule tables shared by the rule tests: each case is a small project (file name -> source;
// `lib/…` is application code, `test/…` a test), `# expect: <rule>` marks the lines that must carry the
// rule's finding, and every other file of the case must carry none of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSources, expectations } from './helpers';

export interface Case { name: string; files: Record<string, string> }

/** Every snippet the tables ran, for a syntax check with the Elixir oracle. */
export const SNIPPETS: { where: string; text: string }[] = [];

export function runTable(ruleId: string, cases: { invalid: Case[]; valid: Case[] }): void {
  for (const c of [...cases.invalid, ...cases.valid]) {
    for (const [name, text] of Object.entries(c.files)) SNIPPETS.push({ where: `${ruleId} › ${c.name} › ${name}`, text });
  }
  describe(ruleId, () => {
    for (const c of cases.invalid) {
      test(`flags: ${c.name}`, async () => {
        const { findings } = await analyzeSources(c.files);
        for (const [name, text] of Object.entries(c.files)) {
          const want = expectations(text).filter((e) => e.endsWith(`:${ruleId}`));
          const got = findings.filter((f) => f.ruleId === ruleId && f.uri.endsWith(`/${name}`)).map((f) => `${f.range.start.line}:${f.ruleId}`).sort();
          assert.deepEqual(got, want, `${name}: ${findings.filter((f) => f.ruleId === ruleId).map((f) => f.message).join('\n')}`);
        }
        const total = Object.values(c.files).flatMap((text) => expectations(text).filter((e) => e.endsWith(`:${ruleId}`)));
        assert.ok(total.length > 0, 'an invalid case must expect something in one of its files');
      });
    }
    for (const c of cases.valid) {
      test(`silent: ${c.name}`, async () => {
        const { findings } = await analyzeSources(c.files);
        assert.deepEqual(findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.uri}:${f.range.start.line}: ${f.message}`), []);
      });
    }
  });
}
