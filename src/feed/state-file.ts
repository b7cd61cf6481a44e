// The small JSON state files the feed layer keeps in bin/updates (feed-state.json,
// trusted-keys.json): a missing file is "nothing accepted yet"; a corrupt one is reported, never
// ignored (ignoring it would re-open rollbacks or trust revoked keys again).
import { readFile } from 'node:fs/promises';
import { configError } from '../core/errors';

/** The parsed document, or undefined when the file does not exist; `hint` says what to do about a corrupt one. */
export async function readStateFile(file: string, hint: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw configError(file, '(file)', `cannot read (${(error as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw configError(file, '(document)', `not valid JSON (${(error as Error).message})`, hint);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw configError(file, '(document)', 'must be a JSON object', hint);
  return doc as Record<string, unknown>;
}
