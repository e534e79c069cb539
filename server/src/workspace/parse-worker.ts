// One worker thread that parses files into models (dist/scan-worker.js), for the CLI's scan and the
// server's background index: the trees stay in the worker and are freed; models come back as plain data,
// a few files at a time.
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { FileModel } from '../model';

export interface ParseRequest { file: string; text: string; uri?: string }
export interface ParseResult { model?: FileModel; error?: string }

export class ParseWorker {
  private failure: Error | undefined;
  private next = 0;

  private constructor(private readonly worker: Worker) {
    // A worker that fails (say, its parser cannot load) fails every request with its error, whenever it happens.
    worker.on('error', (error) => (this.failure = error));
  }

  /** A worker, when running from the bundle (the worker is dist/scan-worker.js beside it); else undefined. */
  static start(): ParseWorker | undefined {
    const script = path.join(__dirname, 'scan-worker.js');
    if (!/\.js$/.test(__filename) || !fs.existsSync(script) || process.env.CHOKEPOINT_WORKERS === '0') return undefined;
    // Its garbage is a tree per file: a small young generation keeps the worker's transient memory down.
    return new ParseWorker(new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 12 } }));
  }

  /** The models of the files, in order; `budgetMs` bounds each file's parse and model (see budget.ts). */
  parse(files: ParseRequest[], budgetMs?: number): Promise<ParseResult[]> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const id = this.next++;
      const results: ParseResult[] = [];
      const onMessage = (message: { id: number; results: ParseResult[]; done: boolean }) => {
        if (message.id !== id) return;
        results.push(...message.results);
        if (!message.done) return;
        this.worker.off('message', onMessage);
        this.worker.off('error', reject);
        resolve(results);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      this.worker.postMessage({ id, files: files.map(({ file, text, uri }) => ({ file, text, uri })), budgetMs });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
