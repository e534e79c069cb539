// Markdown for hover cards: text from the workspace is escaped so that it is shown, never interpreted.

/** Escapes characters that Markdown (and the HTML VS Code allows in it) would interpret. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (ch) => `\\${ch}`);
}

/** An inline code span that holds any text, backticks included. */
export function inlineCode(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  const longest = Math.max(0, ...(single.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = single.startsWith('`') || single.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${single}${pad}${fence}`;
}
