// Every rule, in one list. Adding a rule: one file in this folder, its docs page, fixture cases, and a line here.
import { blockingCallback } from './blocking-callback';
import { globalStateServer } from './global-state-server';
import { hotPathCall } from './hot-path-call';
import { keyedStateServer } from './keyed-state-server';
import { repoInServer } from './repo-in-server';
import { scatteredCalls } from './scattered-calls';
import { selfCall } from './self-call';
import { statelessServer } from './stateless-server';
import type { Rule } from './types';
import { unsupervisedStart } from './unsupervised-start';

/** In the order of DESIGN.md's table. */
export const RULES: readonly Rule[] = [
  repoInServer, statelessServer, globalStateServer, keyedStateServer, blockingCallback, selfCall, scatteredCalls, unsupervisedStart, hotPathCall,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
