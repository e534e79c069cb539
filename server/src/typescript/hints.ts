// What the text of a TypeScript/JavaScript file says before it is parsed: kept apart from the front end
// so that a scan can decide without loading the compiler.

/**
 * A file that can declare a serializer names its kind or its package: a class ending in Mutex, Lock or
 * Semaphore (async-mutex, semaphore-async-await, hand-written ones), p-queue, p-limit, bottleneck,
 * async's queue, worker_threads, child_process, or a `.then(` chain.
 */
const SERIALIZER_HINT = /(Mutex|Lock|Semaphore)\b|['"](async-mutex|semaphore-async-await|p-queue|p-limit|bottleneck|async|(node:)?worker_threads|(node:)?child_process)['"]|\.then\s*\(/;

export function mayDeclareSerializer(text: string): boolean {
  return SERIALIZER_HINT.test(text);
}
