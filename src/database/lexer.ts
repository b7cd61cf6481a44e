// A small T-SQL tokenizer shared by normalisation and impact analysis. Comments and whitespace are
// dropped; strings, [bracketed] and "quoted" identifiers are single tokens, so nothing inside them
// is ever mistaken for a keyword.

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** word/number/punct: the text; ident: the identifier without its quoting; string: the literal as written (with N prefix and quotes). */
  text: string;
  /** 1-based line in the tokenised text. */
  line: number;
  /** Offset just after the token in the text. */
  end: number;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 64 || c === 35 || c === 36 || c > 127;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}

/** Reads a quoted run starting at `start` (the opening char); returns the index after the closer (or text length). */
function readQuoted(sql: string, start: number, closer: string): number {
  let k = start + 1;
  for (;;) {
    const end = sql.indexOf(closer, k);
    if (end < 0) return sql.length;
    if (sql[end + 1] === closer) { k = end + 2; continue; }
    return end + 1;
  }
}

/** The tokens of `sql` (at most `limit` of them: the header of a definition needs only a few). */
export function tokenize(sql: string, limit = Infinity): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  let line = 1;
  const advanceLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (sql.charCodeAt(k) === 10) line++;
  };
  while (i < n && tokens.length < limit) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10) line++;
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1;
      let k = i + 2;
      while (depth > 0 && k < n) {
        const d = sql.charCodeAt(k);
        if (d === 10) { line++; k++; }
        else if (d === 47 && sql.charCodeAt(k + 1) === 42) { depth++; k += 2; }
        else if (d === 42 && sql.charCodeAt(k + 1) === 47) { depth--; k += 2; }
        else k++;
      }
      i = k;
    } else if (c === 39 || ((c === 78 || c === 110) && sql.charCodeAt(i + 1) === 39)) {
      const start = i;
      const quote = c === 39 ? i : i + 1;
      const end = readQuoted(sql, quote, "'");
      tokens.push({ kind: 'string', text: sql.slice(start, end), line, end });
      advanceLines(start, end);
      i = end;
    } else if (c === 91 || c === 34) {
      const closer = c === 91 ? ']' : '"';
      const end = readQuoted(sql, i, closer);
      const inner = sql.slice(i + 1, sql[end - 1] === closer ? end - 1 : end);
      tokens.push({ kind: 'ident', text: inner.split(closer + closer).join(closer), line, end });
      advanceLines(i, end);
      i = end;
    } else if (isWordChar(c)) {
      let k = i + 1;
      while (k < n && isWordChar(sql.charCodeAt(k))) k++;
      const text = sql.slice(i, k);
      tokens.push({ kind: c >= 48 && c <= 57 ? 'number' : 'word', text, line, end: k });
      i = k;
    } else {
      tokens.push({ kind: 'punct', text: sql[i], line, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** Token is the keyword `kw` (case-insensitive; only bare words count, never [quoted] ones). */
export function isKeyword(token: Token | undefined, kw: string): boolean {
  return token !== undefined && token.kind === 'word' && token.text.toLowerCase() === kw;
}

export function isNamePart(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === 'ident' || (token.kind === 'word' && !token.text.startsWith('@')));
}

/**
 * Reads a multi-part name (`[db].[E].[obj]`, `E.obj`, `obj`, `E..obj`) starting at `start`.
 * Returns the parts (unquoted) and the index after the name, or undefined when there is no name.
 */
export function readName(tokens: readonly Token[], start: number): { parts: string[]; next: number } | undefined {
  if (!isNamePart(tokens[start])) return undefined;
  const parts = [tokens[start].text];
  let k = start + 1;
  while (tokens[k]?.kind === 'punct' && tokens[k].text === '.') {
    if (tokens[k + 1]?.kind === 'punct' && tokens[k + 1].text === '.') { parts.push(''); k += 1; continue; }
    if (!isNamePart(tokens[k + 1])) break;
    parts.push(tokens[k + 1].text);
    k += 2;
  }
  return { parts, next: k };
}
