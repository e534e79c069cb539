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
import { globalLockKeyedState } from './global-lock-keyed-state';
import { hotPathLock } from './hot-path-lock';
import { inProcessLock } from './in-process-lock';
import { lockForReads } from './lock-for-reads';
import { lockWithoutAwait } from './lock-without-await';
import { nestedAcquire } from './nested-acquire';
import { poolBehindLock } from './pool-behind-lock';
import { singleWorker } from './single-worker';
import { unboundedSerializer } from './unbounded-serializer';

/** In the order of DESIGN.md's table. */
export const RULES: readonly Rule[] = [
  repoInServer, statelessServer, globalStateServer, keyedStateServer, blockingCallback, selfCall, scatteredCalls, unsupervisedStart, hotPathCall,
  poolBehindLock, lockWithoutAwait, globalLockKeyedState, lockForReads, nestedAcquire, unboundedSerializer, singleWorker, inProcessLock, hotPathLock,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
