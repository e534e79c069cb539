// hot-path-lock: a request handler (express, fastify, koa, hono, NestJS, Next.js route handlers) that waits
// on a global serializer on every request.
import { callsReachedFromFunction, describeChain } from '../callgraph';
import type { Rule } from './types';
import { acquiresOf, KIND_WORD } from './shared/ts-common';

export const hotPathLock: Rule = {
  meta: {
    id: 'hot-path-lock',
    title: 'A request handler waits on a global lock',
    language: 'typescript',
    question: 'concurrency',
    defaultSeverity: 'warning',
    scope: 'workspace',
    description: 'A request handler that waits on a global serializer on every request: requests Node would interleave queue up one at a time.',
  },
  check({ file, project, report }) {
    for (const module of file.modules) {
      if (!module.requestPath || file.language !== 'typescript') continue;
      for (const clause of module.functions) {
        if (!clause.name.includes('(') && !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(clause.name) && !clause.name.includes('.')) continue;
        for (const reached of callsReachedFromFunction(module, clause, project)) {
          const acquires = acquiresOf(reached.call, project);
          if (!acquires) continue;
          const server = project.serializerNamed(acquires);
          // A single-flight refresh returns the cached value at once: the lock is held only to fill it.
          if (server && server.handlers.length > 0 && server.handlers.every((h) => h.singleFlight)) continue;
          const kind = server ? KIND_WORD[server.kind] : 'lock';
          const lockName = acquires.split('#').pop();
          report({
            range: (reached.chain[0] ?? reached.call).range,
            serializer: acquires,
            message: `This request handler waits on the ${kind} ${lockName} on every request (${describeChain(reached)}): requests that Node would interleave queue up behind it one at a time. Keep the lock out of the request path, make it per key, or drop it if the work is already safe.`,
            related: [{ uri: reached.call.uri, range: reached.call.range, why: `takes ${lockName}`, code: reached.call.code }],
          });
        }
      }
    }
  },
};
