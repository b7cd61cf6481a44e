// Unified diffs of definitions (standard -> current) for `db drift --show` and the portal, through
// jsdiff (`diff` on npm), the library git-like tools in JavaScript use. Line endings are
// normalised first: a CRLF script and an LF catalog are not different objects.
import { createTwoFilesPatch } from 'diff';

export function unifiedDiff(object: string, standard: string | null, current: string | null): string {
  const norm = (text: string | null) => (text ?? '').replace(/\r\n?/g, '\n');
  const a = norm(standard);
  const b = norm(current);
  if (a === b) return '';
  const patch = createTwoFilesPatch(`standard/${object}`, `database/${object}`, a, b, standard === null ? '(not standard)' : 'baseline', current === null ? '(missing)' : 'live', { context: 3 });
  // The first line is jsdiff's "Index:"-less header separator; keep from the --- line on.
  return patch.slice(patch.indexOf('---'));
}
