// A cheap text test that decides whether a file is worth parsing: only files that can define a server,
// a repository, or a module named like one (a `…Repo` that is not a database) can change any finding.
// The front end recognises servers only through a direct `use GenServer` / `use Agent`, so a file
// without these words provably contributes nothing. (A test checks the findings are the same without it.)
const MAY_MATTER = /\buse\s+(GenServer|Agent|Ecto\.Repo)\b|\bdefmodule\s+[\w.]*Repo\s+do\b/;

export function mayMatter(text: string): boolean {
  return MAY_MATTER.test(text);
}
