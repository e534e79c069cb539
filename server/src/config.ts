// The project's configuration file, `.chokepoint.json` at the workspace root, read by the language server
// and the CLI alike: per-rule severities and `exclude` globs (gitignore syntax, relative to the file).
// It is data only: nothing in it is executed, and no pattern can reach outside the folder it is in.
import * as fs from 'fs';
import * as path from 'path';
import ignore from 'ignore';
import type { RuleSetting } from './analysis';
import type { Range } from './model';
import { LineIndex } from './positions';
import { ruleById } from './rules';

export const CONFIG_FILE = '.chokepoint.json';
const SETTINGS: readonly string[] = ['off', 'info', 'warning', 'error'];

export interface ProjectConfig {
  rules: Record<string, RuleSetting>;
  exclude: string[];
}

export interface ConfigProblem {
  message: string;
  range: Range;
}

export const EMPTY_CONFIG: ProjectConfig = { rules: {}, exclude: [] };

/**
 * Reads the file's text. A syntax error gives one problem and the defaults; a wrong entry gives a
 * problem on that entry, and the valid entries still apply.
 */
export function parseConfig(text: string): { config: ProjectConfig; problems: ConfigProblem[] } {
  const lines = new LineIndex(text);
  const at = (offset: number, length = 1): Range => lines.range(Math.max(0, Math.min(offset, text.length)), Math.max(0, Math.min(offset + length, text.length)));
  const keyRange = (key: string, after = 0): Range => {
    const found = text.indexOf(JSON.stringify(key), after);
    return found >= 0 ? at(found, JSON.stringify(key).length) : at(0, 0);
  };
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const lineColumn = /line (\d+) column (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : lineColumn ? lines.offset({ line: Number(lineColumn[1]) - 1, character: Number(lineColumn[2]) - 1 }) : 0;
    return { config: EMPTY_CONFIG, problems: [{ message: `${CONFIG_FILE} is not valid JSON (${message}); Chokepoint uses its defaults until it is fixed.`, range: at(offset) }] };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { config: EMPTY_CONFIG, problems: [{ message: `${CONFIG_FILE} must hold an object like { "rules": { … }, "exclude": [ … ] }; Chokepoint uses its defaults.`, range: at(0, 0) }] };
  }
  const problems: ConfigProblem[] = [];
  const config: ProjectConfig = { rules: {}, exclude: [] };
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (key !== 'rules' && key !== 'exclude' && key !== '$schema') problems.push({ message: `Unknown key "${key}" in ${CONFIG_FILE}: only "rules" and "exclude" are read.`, range: keyRange(key) });
  }
  const rulesStart = text.indexOf('"rules"');
  if (object.rules !== undefined) {
    if (!object.rules || typeof object.rules !== 'object' || Array.isArray(object.rules)) {
      problems.push({ message: '"rules" must be an object of rule id → "off" | "info" | "warning" | "error".', range: keyRange('rules') });
    } else {
      for (const [id, setting] of Object.entries(object.rules as Record<string, unknown>)) {
        if (!ruleById(id)) {
          problems.push({ message: `Unknown rule "${id}" in ${CONFIG_FILE}.`, range: keyRange(id, rulesStart) });
        } else if (typeof setting !== 'string' || !SETTINGS.includes(setting)) {
          problems.push({ message: `"${id}" must be "off", "info", "warning" or "error", not ${JSON.stringify(setting)}.`, range: keyRange(id, rulesStart) });
        } else {
          config.rules[id] = setting as RuleSetting;
        }
      }
    }
  }
  if (object.exclude !== undefined) {
    const excludeStart = text.indexOf('"exclude"');
    if (!Array.isArray(object.exclude)) {
      problems.push({ message: '"exclude" must be a list of glob patterns, relative to the folder of .chokepoint.json.', range: keyRange('exclude') });
    } else {
      for (const pattern of object.exclude) {
        const problem = typeof pattern !== 'string' ? 'is not a string'
          : /^([a-zA-Z]:|[\\/]|~)/.test(pattern) ? 'is absolute: exclude patterns are relative to the workspace'
          : pattern.split(/[\\/]/).includes('..') ? 'points outside the workspace'
          : undefined;
        if (problem) problems.push({ message: `The exclude pattern ${JSON.stringify(pattern)} ${problem}; it is ignored.`, range: keyRange(String(pattern), excludeStart) });
        else config.exclude.push(pattern as string);
      }
    }
  }
  return { config, problems };
}

export interface LoadedConfig {
  /** The folder the file is in: exclude patterns are relative to it. */
  root: string;
  file: string | undefined;
  config: ProjectConfig;
  problems: ConfigProblem[];
  excludes(file: string): boolean;
}

/** Reads `.chokepoint.json` in `root` (no file: the defaults). */
export function loadConfig(root: string): LoadedConfig {
  return loadConfigFile(path.join(root, CONFIG_FILE));
}

/** Reads a config file given by path; its folder is the root of its exclude patterns. */
export function loadConfigFile(file: string): LoadedConfig {
  const root = path.dirname(file);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  const { config, problems } = text === undefined ? { config: EMPTY_CONFIG, problems: [] } : parseConfig(text);
  return { root, file: text === undefined ? undefined : file, config, problems, excludes: excluder(root, config.exclude) };
}

/** The nearest folder at or above `start` that holds `.chokepoint.json`, else `start` itself. */
export function findConfigRoot(start: string): string {
  let dir = fs.existsSync(start) && fs.statSync(start).isFile() ? path.dirname(start) : start;
  for (;;) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return fs.existsSync(start) && fs.statSync(start).isFile() ? path.dirname(start) : start;
    dir = parent;
  }
}

function excluder(root: string, patterns: string[]): (file: string) => boolean {
  if (patterns.length === 0) return () => false;
  const rules = ignore().add(patterns);
  return (file: string) => {
    const rel = path.relative(root, file).split(path.sep).join('/');
    return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel) && rules.ignores(rel);
  };
}

/**
 * The severity of each rule: the editor's setting when it is not "default", else the project file,
 * else the rule's own default (left out here).
 */
export function effectiveRules(project: ProjectConfig, editor: Record<string, RuleSetting | 'default' | undefined> = {}): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = { ...project.rules };
  for (const [id, setting] of Object.entries(editor)) if (setting && setting !== 'default') out[id] = setting;
  return out;
}
