// The checklist's decision table: the four answers plus what the analysis knows of the state's shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Answer, QuestionId } from '../server/src/checklist';
import { CHOICES, decide, type Choice, type DecisionFacts } from '../server/src/decision';
import { RULES } from '../server/src/rules';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

const none: DecisionFacts = { keyedState: false, workWithoutState: false, perEntity: false };
const answers = (yes: QuestionId[], unknown: QuestionId[] = []): Record<QuestionId, Answer> => {
  const all: QuestionId[] = ['shared-state', 'concurrency', 'lifecycle', 'communication'];
  return Object.fromEntries(all.map((q) => [q, yes.includes(q) ? 'yes' : unknown.includes(q) ? 'unknown' : 'no'])) as Record<QuestionId, Answer>;
};

const table: [string, Record<QuestionId, Answer>, DecisionFacts, Choice][] = [
  ['answers nothing', answers([]), none, 'plain-module'],
  ['answers nothing, queries the database in its callbacks', answers([]), { ...none, workWithoutState: true }, 'in-caller'],
  ['shared state read by everyone', answers(['shared-state']), none, 'shared-reads'],
  ['shared state keyed per user', answers(['shared-state']), { ...none, keyedState: true }, 'per-entity'],
  ['shared state, already one process per cart', answers(['shared-state']), { ...none, perEntity: true, keyedState: true }, 'keep'],
  ['shared state and a Repo call: the query moves first', answers(['shared-state']), { ...none, workWithoutState: true }, 'in-caller'],
  ['runs tasks concurrently', answers(['concurrency']), { ...none, workWithoutState: true }, 'keep'],
  ['owns a lifecycle', answers(['lifecycle']), none, 'keep'],
  ['talks to other processes', answers(['communication']), { ...none, keyedState: true }, 'keep'],
  ['shared state not decided counts as no', answers([], ['shared-state']), none, 'plain-module'],
];

for (const [name, given, facts, expected] of table) {
  test(`decide: ${name} → ${expected}`, () => assert.equal(decide(given, facts), expected));
}

test('every choice names existing rules and snippets of both languages', () => {
  const ids = new Set(RULES.map((r) => r.meta.id));
  for (const [choice, info] of Object.entries(CHOICES)) {
    for (const language of ['elixir', 'typescript'] as const) {
      for (const id of info.rules[language]) {
        assert.ok(ids.has(id), `${choice}: unknown rule ${id}`);
        assert.equal(RULES.find((r) => r.meta.id === id)!.meta.language, language, `${choice}: ${id} is not a ${language} rule`);
      }
      const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', `${language}.json`), 'utf8'));
      for (const name of info.snippets[language]) assert.ok(snippets[name], `${choice}: no snippet named ${name} in snippets/${language}.json`);
    }
  }
});
