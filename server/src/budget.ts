// Time budgets: a file that takes too long to parse, or to analyse, is given up on with a clear message
// instead of holding up the editor or the scan. (Huge files are refused before by their size; this
// catches what size does not: pathological nesting, a slow rule on an odd shape of code.)
import { performance } from 'perf_hooks';

/** Per file and stage: parsing it, building its model, running the rules (each has the whole budget). */
export const DEFAULT_TIME_BUDGET_MS = 3000;

export interface Budget {
  /** performance.now() after which the work stops. */
  until: number;
  ms: number;
}

export function budgetOf(ms: number = DEFAULT_TIME_BUDGET_MS): Budget {
  return { until: performance.now() + ms, ms };
}

export function outOfTime(budget: Budget | undefined): boolean {
  return !!budget && performance.now() > budget.until;
}

export class BudgetExceeded extends Error {
  constructor(readonly stage: 'parsing' | 'analysing', readonly budgetMs: number) {
    super(`${stage} took longer than the time budget of ${budgetMs} ms`);
  }
}
