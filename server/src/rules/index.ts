// Every rule, in one list. Adding a rule: one file in this folder, its docs page, fixture cases, and a line here.
import { blockingCallback } from './blocking-callback';
import { repoInServer } from './repo-in-server';
import { selfCall } from './self-call';
import { statelessServer } from './stateless-server';
import type { Rule } from './types';

export const RULES: readonly Rule[] = [repoInServer, statelessServer, blockingCallback, selfCall];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
