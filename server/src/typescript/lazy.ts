// The TypeScript front end carries the TypeScript compiler: a large module that an Elixir-only session
// never needs. It is loaded on first use, so the server starts as fast as before it had one.
import * as path from 'path';
import type { FileModel } from '../model';
import type { ReadText } from '../elixir/refactor';
import { mayDeclareSerializer } from './hints';

/** `.ts`, `.tsx`, `.mts`, `.cts`, `.js`, `.jsx`, `.mjs`, `.cjs`, but not declaration files. */
export function isTypeScriptUri(uri: string): boolean {
  return /\.[cm]?[jt]sx?$/.test(uri) && !/\.d\.[cm]?ts$/.test(uri);
}

type Module = typeof import('./index');
let loaded: Module | undefined;

/**
 * The module: from the sources when running them (tests), else dist/typescript.js next to the bundle.
 * The path is computed so that the bundler leaves the require for run time.
 */
function typescript(): Module {
  const file = /\.ts$/.test(__filename) ? path.join(__dirname, 'index') : path.join(__dirname, 'typescript.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(file) as Module;
  return loaded;
}

export function buildTypeScriptModel(uri: string, text: string): FileModel {
  return typescript().buildTypeScriptModel(uri, text);
}

/**
 * The models of the TypeScript files of a scan worth parsing (see typescript/prefilter.ts). When no file
 * can declare a serializer, none is, and the compiler is not even loaded.
 */
export function selectAndParseTypeScript<T extends { file: string; text: string }>(files: T[], parse: (file: T) => FileModel | undefined): FileModel[] {
  return files.some((f) => mayDeclareSerializer(f.text)) ? typescript().selectAndParseTypeScript(files, parse) : [];
}

/** The refactorer of the Node fixes; creating it loads the compiler, so create it when a fix is asked for. */
export function createTypeScriptRefactorer(read: ReadText): InstanceType<Module['TypeScriptRefactorer']> {
  return new (typescript().TypeScriptRefactorer)(read);
}
