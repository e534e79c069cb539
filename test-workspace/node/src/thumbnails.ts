import { Worker } from 'node:worker_threads';

const resizer = new Worker(new URL('./resize-worker.js', import.meta.url)); // expect: single-worker

export function resize(image: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    resizer.once('message', resolve);
    resizer.postMessage(image);
  });
}
