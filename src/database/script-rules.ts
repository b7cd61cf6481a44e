// What a release script must not hold (pure), checked by `publish` before a package can reach a
// customer: sqlcmd syntax (the updater runs T-SQL batches, not sqlcmd: `:r`, `:setvar` and `$(var)`
// would reach SQL Server as text), and, in a script marked transactional, statements SQL Server
// refuses inside a user transaction (the script would fail on every server, after its journal row
// was prepared). Module bodies are not run by the script and are not looked into. The T-SQL oracle
// (test/tsql-oracle, Microsoft's parser) checks this list in the tests.
import type { Batch } from './batches';
import { isKeyword, tokenize, type Token } from './lexer';

export interface ScriptFinding {
  /** Line in the script. */
  line: number;
  /** What was found, e.g. `backup`, `:setvar`, `$(TableName)`. */
  what: string;
}

const SQLCMD_COMMANDS = new Set(['r', 'setvar', 'on', 'connect', 'out', 'error', 'exit', 'quit', 'reset', 'ed', 'list', 'listvar', 'serverlist', 'xml', 'perftrace', 'help']);
const MODULE_KINDS = new Set(['procedure', 'proc', 'function', 'trigger', 'view']);

function word(t: Token | undefined): string {
  return t?.kind === 'word' ? t.text.toLowerCase() : '';
}

/** sqlcmd commands at the start of a line, and `$(variable)` anywhere (sqlcmd substitutes even inside strings). */
export function sqlcmdSyntax(text: string): ScriptFinding[] {
  const found: ScriptFinding[] = [];
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const firstOnLine = i === 0 || tokens[i - 1].line !== t.line;
    if (!firstOnLine || t.kind !== 'punct') continue;
    if (t.text === ':' && SQLCMD_COMMANDS.has(word(tokens[i + 1])) && tokens[i + 1].line === t.line) found.push({ line: t.line, what: `:${tokens[i + 1].text}` });
    if (t.text === '!' && tokens[i + 1]?.kind === 'punct' && tokens[i + 1].text === '!') found.push({ line: t.line, what: '!!' });
  }
  const lineAt = (offset: number) => { let n = 1; for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) n++; return n; };
  for (const m of text.matchAll(/\$\(\s*([A-Za-z_][\w]*)\s*\)/g)) found.push({ line: lineAt(m.index ?? 0), what: `$(${m[1]})` });
  return found.sort((a, b) => a.line - b.line);
}

/** Statements SQL Server refuses in a user transaction, at batch level. */
export function nonTransactionalStatements(batches: readonly Batch[]): ScriptFinding[] {
  const found: ScriptFinding[] = [];
  for (const batch of batches) {
    const tokens = tokenize(batch.text);
    const at = (t: Token, what: string) => found.push({ line: batch.startLine + t.line - 1, what });
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const w = word(t);
      const next = word(tokens[i + 1]);
      if (w === 'create' || w === 'alter') {
        let k = i + 1;
        if (w === 'create' && next === 'or' && isKeyword(tokens[i + 2], 'alter')) k = i + 3;
        if (MODULE_KINDS.has(word(tokens[k]))) break; // the rest of the batch is a module body
      }
      if ((w === 'backup' || w === 'restore') && ['database', 'log', 'filelistonly', 'headeronly', 'verifyonly', 'labelonly'].includes(next)) at(t, w);
      else if (w === 'reconfigure' && (i === 0 || word(tokens[i - 1]) !== 'with')) at(t, 'reconfigure');
      else if (['create', 'alter', 'drop'].includes(w) && next === 'database' && !(w === 'alter' && word(tokens[i + 2]) === 'scoped')) at(t, `${w} database`);
      else if (['create', 'alter', 'drop'].includes(w) && next === 'fulltext' && ['catalog', 'index'].includes(word(tokens[i + 2]))) at(t, `fulltext ${word(tokens[i + 2])}`);
      else if (w === 'kill' && (tokens[i + 1]?.kind === 'number' || tokens[i + 1]?.kind === 'string') && (i === 0 || tokens[i - 1].line !== t.line || tokens[i - 1].text === ';')) at(t, 'kill');
    }
  }
  return found;
}
