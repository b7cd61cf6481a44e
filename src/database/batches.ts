// Splits a T-SQL script into batches on `GO` lines, as sqlcmd and SSMS do: `GO` alone on its line
// (any case, surrounding blanks, an optional repeat count `GO 5`, an optional trailing `--`
// comment). A `GO` inside a block comment (nested /* /* */ */), a line comment, a 'string'
// (N'...' too, '' escapes), a [bracketed] or "quoted" identifier is text, not a separator.
// One linear pass with indexOf jumps over comments/strings: no regex over the whole text (the
// benchmark splits a 50 MB script).

export interface Batch {
  /** 1-based position of the batch in the script (what error messages call "batch n"). */
  index: number;
  text: string;
  /** Script line where the batch text starts: SQL Server's line n in this batch is script line startLine + n - 1. */
  startLine: number;
  /** `GO 5` runs the batch 5 times. */
  repeat: number;
}

export interface ScriptProblem {
  line: number;
  message: string;
}

export interface SplitResult {
  batches: Batch[];
  /** Unterminated comment/string/identifier, `GO 0`: the script is suspect (package validation rejects it). */
  problems: ScriptProblem[];
}

const NL = 10, CR = 13, SPACE = 32, TAB = 9, DASH = 45, SLASH = 47, STAR = 42, QUOTE = 39, DQUOTE = 34, LBRACKET = 91;

/** Characters that may start a newline, comment, string or quoted identifier (a single-class regex: no backtracking). */
const SPECIAL = /[\n\-\/'"[]/g;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}

/**
 * If a GO separator line starts at `pos` (a line start): its repeat count, the index of its end of
 * line (or text length), and a problem when the line is a GO that sqlcmd would refuse (`GO 0`, `GO;`).
 * Comments may follow on the line (a line comment, block comments closed on the line), nothing else.
 */
function matchGoLine(sql: string, pos: number): { count: number; eol: number; problem?: string } | undefined {
  const n = sql.length;
  let i = pos;
  while (i < n && isBlank(sql.charCodeAt(i))) i++;
  if (i + 2 > n) return undefined;
  const g = sql.charCodeAt(i), o = sql.charCodeAt(i + 1);
  if ((g !== 71 && g !== 103) || (o !== 79 && o !== 111)) return undefined;
  i += 2;
  let count = 1;
  let problem: string | undefined;
  let j = i;
  while (j < n && isBlank(sql.charCodeAt(j))) j++;
  if (j < n && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) {
    if (j === i) return undefined; // `GO5` is an identifier, not a separator
    let value = 0;
    while (j < n && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) { value = value * 10 + (sql.charCodeAt(j) - 48); j++; }
    count = value;
    if (value < 1) problem = 'GO with a count of 0';
    while (j < n && isBlank(sql.charCodeAt(j))) j++;
  } else if (j === i && j < n && sql.charCodeAt(j) !== NL && sql.charCodeAt(j) !== CR && sql.charCodeAt(j) !== DASH && sql.charCodeAt(j) !== SLASH && sql.charCodeAt(j) !== 59) {
    return undefined; // `GOTO`, `GO_x`: a word that starts with GO
  }
  if (j < n && sql.charCodeAt(j) === 59) { problem = 'a semicolon is not allowed after GO'; j++; while (j < n && isBlank(sql.charCodeAt(j))) j++; }
  // Block comments that end on this line.
  while (j + 1 < n && sql.charCodeAt(j) === SLASH && sql.charCodeAt(j + 1) === STAR) {
    let depth = 1;
    let k = j + 2;
    while (depth > 0 && k < n && sql.charCodeAt(k) !== NL) {
      if (sql.charCodeAt(k) === SLASH && sql.charCodeAt(k + 1) === STAR) { depth++; k += 2; }
      else if (sql.charCodeAt(k) === STAR && sql.charCodeAt(k + 1) === SLASH) { depth--; k += 2; }
      else k++;
    }
    if (depth > 0) return undefined; // a comment that goes on past the line: not a GO line
    j = k;
    while (j < n && isBlank(sql.charCodeAt(j))) j++;
  }
  if (j + 1 < n && sql.charCodeAt(j) === DASH && sql.charCodeAt(j + 1) === DASH) {
    const nl = sql.indexOf('\n', j);
    j = nl < 0 ? n : nl;
  }
  if (j < n && sql.charCodeAt(j) === CR) j++;
  if (j < n && sql.charCodeAt(j) !== NL) return undefined;
  return { count, eol: j, problem };
}

function countNewlines(sql: string, from: number, to: number): number {
  let lines = 0;
  for (let k = sql.indexOf('\n', from); k >= 0 && k < to; k = sql.indexOf('\n', k + 1)) lines++;
  return lines;
}

function hasContent(sql: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = sql.charCodeAt(k);
    if (!isBlank(c) && c !== NL && c !== CR) return true;
  }
  return false;
}

export function splitScript(sql: string): SplitResult {
  const batches: Batch[] = [];
  const problems: ScriptProblem[] = [];
  const n = sql.length;
  let line = 1;
  let batchStart = 0;
  let batchLine = 1;
  let i = 0;
  let atLineStart = true;

  const closeBatch = (end: number, repeat: number) => {
    if (hasContent(sql, batchStart, end)) {
      batches.push({ index: batches.length + 1, text: sql.slice(batchStart, end), startLine: batchLine, repeat });
    }
  };

  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      const go = matchGoLine(sql, i);
      if (go) {
        if (go.problem) problems.push({ line, message: `${go.problem} (line ${line})` });
        closeBatch(i, Math.max(1, go.count));
        i = go.eol + 1; // past the newline (or past the end)
        line++;
        batchStart = Math.min(i, n);
        batchLine = line;
        atLineStart = true;
        continue;
      }
    }
    const c = sql.charCodeAt(i);
    if (c === NL) {
      line++;
      i++;
      atLineStart = true;
    } else if (c === DASH && sql.charCodeAt(i + 1) === DASH) {
      const nl = sql.indexOf('\n', i + 2);
      i = nl < 0 ? n : nl; // the newline itself is handled above (line count, GO check)
    } else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      const startLine = line;
      let depth = 1;
      let k = i + 2;
      while (depth > 0 && k < n) {
        const d = sql.charCodeAt(k);
        if (d === NL) { line++; k++; }
        else if (d === SLASH && sql.charCodeAt(k + 1) === STAR) { depth++; k += 2; }
        else if (d === STAR && sql.charCodeAt(k + 1) === SLASH) { depth--; k += 2; }
        else k++;
      }
      if (depth > 0) problems.push({ line: startLine, message: `unterminated /* comment starting on line ${startLine}` });
      i = k;
    } else if (c === QUOTE || c === DQUOTE || c === LBRACKET) {
      const closer = c === LBRACKET ? ']' : c === QUOTE ? "'" : '"';
      const startLine = line;
      let k = i + 1;
      for (;;) {
        const end = sql.indexOf(closer, k);
        if (end < 0) { k = -1; break; }
        if (sql[end + 1] === closer) { k = end + 2; continue; } // '' ]] "" escapes
        k = end + 1;
        break;
      }
      if (k < 0) {
        line += countNewlines(sql, i, n);
        const what = c === QUOTE ? 'string' : 'identifier';
        problems.push({ line: startLine, message: `unterminated ${what} starting on line ${startLine}` });
        i = n;
      } else {
        line += countNewlines(sql, i, k);
        i = k;
      }
    } else {
      // Plain text: jump to the next character that can start something (a native scan).
      SPECIAL.lastIndex = i + 1;
      const next = SPECIAL.exec(sql);
      i = next ? next.index : n;
    }
  }
  closeBatch(n, 1);
  return { batches, problems };
}

/** The batches of a script (see splitScript for the problems list). */
export function splitBatches(sql: string): Batch[] {
  return splitScript(sql).batches;
}
