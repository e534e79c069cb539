// SARIF 2.1.0 presenter: findings -> a log that code-scanning services accept.
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { ruleDocsUrl } from '../docs';
import type { Finding, Range, Severity } from '../model';
import type { Rule } from '../rules/types';
import { VERSION } from '../version';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

function region(range: Range) {
  // SARIF lines and columns are 1-based; columns count UTF-16 code units (the run's columnKind).
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

export function toSarif(findings: Finding[], rules: readonly Rule[], root: string): object {
  const rootUri = pathToFileURL(root.endsWith(path.sep) ? root : root + path.sep).href;
  const artifact = (uri: string) => {
    const file = fileURLToPath(uri);
    const rel = path.relative(root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return { uri };
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  };
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'chokepoint',
            version: VERSION,
            semanticVersion: VERSION,
            rules: rules.map((rule) => ({
              id: rule.meta.id,
              name: rule.meta.title,
              shortDescription: { text: rule.meta.title },
              fullDescription: { text: rule.meta.description },
              helpUri: ruleDocsUrl(rule.meta.id),
              help: { text: `${rule.meta.description} See ${ruleDocsUrl(rule.meta.id)}` },
              defaultConfiguration: { level: LEVEL[rule.meta.defaultSeverity] },
              properties: { question: rule.meta.question, language: rule.meta.language },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: rootUri } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: artifact(f.uri), region: region(f.range) } }],
          relatedLocations: f.related.map((r, id) => ({
            id,
            message: { text: r.why },
            physicalLocation: { artifactLocation: artifact(r.uri), region: region(r.range) },
          })),
          partialFingerprints: { 'chokepoint/v1': `${f.ruleId}:${f.serializer ?? ''}:${f.message.split(':')[0]}` },
        })),
      },
    ],
  };
}
