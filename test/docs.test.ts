// The Elixir users copy from us must be valid: every ```elixir block of the rule pages and every snippet
// (with its placeholders filled by their defaults) is accepted by Code.string_to_quoted!.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ts } from 'ts-morph';
import { RULES } from '../server/src/rules';
import { analyzeSources, elixirRejects, ROOT } from './helpers';

/** A snippet body as VS Code inserts it when the user accepts every default (mirrors take the default too). */
function expandSnippet(body: string | string[]): string {
  let text = Array.isArray(body) ? body.join('\n') : body;
  const defaults = new Map<string, string>();
  for (let i = 0; i < 10 && /\$\{\d+:[^{}]*\}/.test(text); i++) {
    text = text.replace(/\$\{(\d+):([^{}]*)\}/g, (_, n: string, value: string) => {
      if (!defaults.has(n)) defaults.set(n, value);
      return value;
    });
  }
  return text
    .replace(/\$\{(\d+)\|([^,|]*)[^}]*\}/g, '$2')
    .replace(/\$\{(\d+)\}|\$(\d+)/g, (_, a?: string, b?: string) => defaults.get((a ?? b)!) ?? '')
    .replace(/\\\$/g, '$');
}

test('every rule has a docs page, and its Elixir examples parse', () => {
  const blocks: { where: string; code: string }[] = [];
  for (const rule of RULES) {
    const page = path.join(ROOT, 'docs', 'rules', `${rule.meta.id}.md`);
    assert.ok(fs.existsSync(page), `missing ${page}`);
    const text = fs.readFileSync(page, 'utf8');
    assert.match(text, new RegExp(`^# ${rule.meta.id}\\b`), `${page} starts with its rule id`);
    for (const match of text.matchAll(/```elixir\n([\s\S]*?)```/g)) blocks.push({ where: `${rule.meta.id}.md`, code: match[1] });
    for (const match of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const { diagnostics } = ts.transpileModule(match[1], { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
      assert.deepEqual(diagnostics?.map((d) => `${rule.meta.id}.md: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`), []);
    }
  }
  assert.ok(blocks.length >= 8);
  const rejected = elixirRejects(blocks.map((b) => b.code));
  assert.deepEqual(rejected.map((r) => `${blocks[r.index].where}: ${r.error}`), []);
});

test('every snippet expands to Elixir that parses', () => {
  const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'elixir.json'), 'utf8')) as Record<string, { prefix: string; body: string[]; description: string }>;
  const entries = Object.entries(snippets);
  assert.ok(entries.length >= 5);
  for (const [name, s] of entries) assert.ok(s.prefix && s.description && s.body.length > 0, name);
  const rejected = elixirRejects(entries.map(([, s]) => expandSnippet(s.body)));
  assert.deepEqual(rejected.map((r) => `${entries[r.index][0]}: ${r.error}`), []);
});

test('every TypeScript snippet expands to TypeScript that parses and no Node rule flags', async () => {
  const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'typescript.json'), 'utf8')) as Record<string, { prefix: string; body: string[]; description: string }>;
  const entries = Object.entries(snippets);
  assert.ok(entries.length >= 5);
  for (const [name, s] of entries) {
    const code = expandSnippet(s.body);
    const { diagnostics } = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
    assert.deepEqual(diagnostics?.map((d) => `${name}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`), []);
    const { findings } = await analyzeSources({ 'src/snippet.ts': code });
    assert.deepEqual(findings.map((f) => `${name}: ${f.ruleId} ${f.message}`), [], 'the right alternative is silent');
  }
});

test('in every rule page, Bad servers are flagged by the rule and Good ones stay silent', async () => {
  const problems: string[] = [];
  const checked = { bad: 0, good: 0 };
  for (const rule of RULES) {
    const text = fs.readFileSync(path.join(ROOT, 'docs', 'rules', `${rule.meta.id}.md`), 'utf8');
    const sections = text.split(/^## /m).map((s) => ({ title: s.split('\n')[0].trim(), body: s }));
    for (const { title, body } of sections) {
      const expected = title === 'Bad' ? true : title === 'Good' || title === 'When the process is right' || title === 'When the lock is right' ? false : undefined;
      if (expected === undefined) continue;
      const typescript = rule.meta.language === 'typescript';
      for (const [, code] of body.matchAll(typescript ? /```ts\n([\s\S]*?)```/g : /```elixir\n([\s\S]*?)```/g)) {
        if (!typescript && !/\buse (GenServer|Agent)\b/.test(code)) continue; // supporting code (a supervisor, a context)
        const { findings } = await analyzeSources(typescript ? { 'src/example.ts': code } : { 'example.ex': code });
        const flagged = findings.some((f) => f.ruleId === rule.meta.id);
        checked[expected ? 'bad' : 'good']++;
        if (flagged !== expected) problems.push(`${rule.meta.id}.md, ${title}: ${expected ? 'not flagged' : 'flagged'}: ${code.split('\n')[0]}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked.bad >= 4 && checked.good >= 8, JSON.stringify(checked));
});

test('the extension manifest has a setting per rule with its default severity, the language and activation', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  for (const rule of RULES) {
    const setting = properties[`chokepoint.rules.${rule.meta.id}`];
    assert.ok(setting, `no chokepoint.rules.${rule.meta.id} setting`);
    // "default" defers to .chokepoint.json and then to the rule's own severity, which the description names.
    assert.equal(setting.default, 'default', rule.meta.id);
    assert.deepEqual(setting.enum, ['default', 'off', 'info', 'warning', 'error']);
    assert.ok(setting.markdownDescription.includes(`Default severity: \`${rule.meta.defaultSeverity}\``), rule.meta.id);
  }
  const ruleSettings = Object.keys(properties).filter((k) => k.startsWith('chokepoint.rules.'));
  assert.equal(ruleSettings.length, RULES.length, 'no setting for a rule that does not exist');
  assert.deepEqual(manifest.activationEvents.sort(), ['onLanguage:elixir', 'onLanguage:javascript', 'onLanguage:javascriptreact', 'onLanguage:typescript', 'onLanguage:typescriptreact', 'workspaceContains:**/mix.exs']);
  const elixir = manifest.contributes.languages.find((l: { id: string }) => l.id === 'elixir');
  assert.deepEqual(elixir.extensions, ['.ex', '.exs']);
  assert.ok(fs.existsSync(path.join(ROOT, elixir.configuration)));
  assert.equal(manifest.main, './dist/extension.js');
  assert.equal(manifest.bin.chokepoint, 'dist/cli.js');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
});

test('every contributed command is registered by the client, and the walkthrough, views and menus point at real things', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const client = fs.readdirSync(path.join(ROOT, 'client/src')).map((f) => fs.readFileSync(path.join(ROOT, 'client/src', f), 'utf8')).join('\n');
  const registered = new Set([...client.matchAll(/registerCommand\(\s*'([\w.]+)'/g)].map((m) => m[1]));
  // Commands named through constants: resolve them from the modules that define them.
  const constants = [fs.readFileSync(path.join(ROOT, 'server/src/lsp/protocol.ts'), 'utf8'), client].join('\n');
  for (const m of client.matchAll(/registerCommand\(\s*([A-Z_]+)/g)) {
    const value = new RegExp(`${m[1]} = '([\\w.]+)'`).exec(constants);
    assert.ok(value, `constant ${m[1]} not found`);
    registered.add(value[1]);
  }
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command);
  assert.deepEqual([...contributed].sort(), [...registered].sort());
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'Chokepoint', c.command);

  const views = manifest.contributes.views.explorer.map((v: { id: string }) => v.id);
  assert.deepEqual(views, ['chokepoint.processMap']);
  assert.match(client, /PROCESS_MAP_VIEW = 'chokepoint\.processMap'/);
  const menuCommands = Object.values(manifest.contributes.menus).flat().map((m) => (m as { command: string }).command);
  for (const c of menuCommands) assert.ok(contributed.includes(c), `menu names unknown command ${c}`);

  const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  for (const walkthrough of manifest.contributes.walkthroughs) {
    for (const step of walkthrough.steps) {
      const media = path.join(ROOT, step.media.markdown);
      assert.ok(fs.existsSync(media), `${step.id}: ${step.media.markdown} is missing`);
      assert.ok(ignore.includes(`!${path.dirname(step.media.markdown)}/*.md`), `${step.media.markdown} is not packaged`);
      for (const link of step.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)) {
        const [, command, args] = link;
        assert.ok(contributed.includes(command) || command.startsWith('workbench.'), `${step.id}: unknown command ${command}`);
        if (command === 'chokepoint.openExample') {
          const [name] = JSON.parse(decodeURIComponent(args));
          assert.ok(fs.existsSync(path.join(ROOT, 'examples', name)), `${step.id}: no example ${name}`);
        }
      }
    }
  }
});

test('the bundled examples show what the walkthrough says: findings in the bad ones, silence in the cart', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), '--format', 'json', path.join(ROOT, 'examples')], { encoding: 'utf8' });
  const findings = JSON.parse(run.stdout).findings as { file: string; rule: string }[];
  const byFile = (name: string) => [...new Set(findings.filter((f) => f.file.endsWith(name)).map((f) => f.rule))].sort();
  assert.deepEqual(byFile('user_store.ex'), ['repo-in-server', 'stateless-server']);
  assert.deepEqual(byFile('price_formatter.ex'), ['stateless-server']);
  assert.deepEqual(byFile('store_settings.ex'), ['global-state-server']);
  assert.deepEqual(byFile('orders.ts'), ['pool-behind-lock']);
  assert.deepEqual(byFile('cart.ex'), []);
});

test('each bundled example is its test-workspace fixture without the expect comments (they cannot drift apart)', () => {
  const fixtures: Record<string, string> = {
    'cart.ex': 'lib/shop/cart.ex', 'price_formatter.ex': 'lib/shop/price_formatter.ex', 'store_settings.ex': 'lib/shop/store_settings.ex',
    'user_store.ex': 'lib/shop/user_store.ex', 'orders.ts': 'node/src/orders.ts', 'db.ts': 'node/src/db.ts',
  };
  assert.deepEqual(fs.readdirSync(path.join(ROOT, 'examples')).sort(), Object.keys(fixtures).sort());
  for (const [example, fixture] of Object.entries(fixtures)) {
    const expected = fs.readFileSync(path.join(ROOT, 'test-workspace', fixture), 'utf8').replace(/ *(#|\/\/) expect: [\w, -]+$/gm, '');
    assert.equal(fs.readFileSync(path.join(ROOT, 'examples', example), 'utf8'), expected, example);
  }
});
