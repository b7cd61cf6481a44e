// The updater's own settings (feed, trusted keys, hook interpreter) used to live in
// bin\config\updater.config, a folder module identities are allowed to write (they declare
// themselves in applicationspath.config there): a compromised application pool could add its own
// publisher key or interpreter and the SYSTEM service would trust it. They now live in
// bin\updates\updater.config, writable by Administrators and SYSTEM only (SPEC §12).
//
// moveLegacySettings is run by what may change the server (install, check, repair, the service,
// service install); reads (get, db, the portal's pages) only read the old file and warn. Order:
// parse the old file (bad input changes nothing), make bin\updates admin-only, write the new file,
// remove the old one. A crash between the last two leaves both with the same content: the next run
// removes the old one. A different file appearing in bin\config later is ignored, with a warning.
import { promises as fs } from 'node:fs';
import type { Context } from '../context/context';
import { readOptionalFile } from '../context/context';
import { parseUpdaterConfig } from '../config/updater-config';
import { msg, type Message } from '../core/messages';
import { writeFileAtomic } from '../io/files';
import { AltazionError } from '../core/errors';
import { findOthersAccess } from './trusted-paths';

export type SettingsState =
  /** Only bin\updates\updater.config (or nothing at all: defaults). */
  | 'current'
  /** Moved now from bin\config. */
  | 'moved'
  /** An interrupted move was finished (the old copy, identical, removed). */
  | 'finished'
  /** Both exist and differ: the old one is ignored. */
  | 'legacy-ignored'
  /** Only the old file, and it could not be moved (reported; it is still read). */
  | 'not-moved'
  /** Only the old file, and this run does not move it (dry run). */
  | 'would-move';

export interface SettingsOutcome {
  state: SettingsState;
  file: string;
  legacyFile: string;
  /** What happened (worded by the reader: the command line in English, the portal in French). */
  detail: Message | string;
  /** The old file does not parse: left alone, config() reports it with the field. */
  badInput?: boolean;
}

export interface MoveOptions {
  /** Report what would be done and change nothing. */
  dryRun?: boolean;
}

/** Moves updater.config out of bin\config when it is still there (see the header). Never throws: the outcome says what happened. */
export async function moveLegacySettings(ctx: Context, options: MoveOptions = {}): Promise<SettingsOutcome> {
  const { layout } = ctx;
  const file = layout.updaterConfig;
  const legacyFile = layout.legacyUpdaterConfig;
  const outcome = (state: SettingsState, detail: Message | string): SettingsOutcome => ({ state, file, legacyFile, detail });
  let current: Buffer | undefined;
  let legacy: Buffer | undefined;
  try {
    [current, legacy] = await Promise.all([readOptionalFile(file), readOptionalFile(legacyFile)]);
  } catch (error) {
    return outcome('not-moved', msg('settings.unreadable', { error: (error as Error).message }));
  }
  if (!legacy) return outcome('current', current ? msg('settings.current', { file }) : msg('settings.defaults', { file }));
  if (current) {
    if (!current.equals(legacy)) {
      return outcome('legacy-ignored', msg('settings.legacyIgnored', { legacy: legacyFile, file }));
    }
    if (options.dryRun) return outcome('would-move', msg('settings.wouldDeleteCopy', { legacy: legacyFile, file }));
    try {
      await fs.rm(legacyFile, { force: true });
    } catch (error) {
      return outcome('legacy-ignored', msg('settings.copyNotDeleted', { legacy: legacyFile, file, error: (error as Error).message }));
    }
    return outcome('finished', msg('settings.deletedCopy', { legacy: legacyFile, file }));
  }
  try {
    // Bad input changes nothing: a file that does not parse stays where it is (config() reports it).
    parseUpdaterConfig(legacy, legacyFile, layout.config, ctx.pathApi);
  } catch (error) {
    return { ...outcome('not-moved', error instanceof AltazionError ? error.worded : (error as Error).message), badInput: true };
  }
  if (options.dryRun) return outcome('would-move', msg('settings.wouldMove', { legacy: legacyFile, file }));
  let exposed: string[] = [];
  try {
    const platform = await ctx.platform();
    await fs.mkdir(layout.updates, { recursive: true });
    // The new home must be admin-only before the settings land in it; what others could change
    // there until now is named (hook scripts among it deserve a look).
    exposed = (await findOthersAccess({ path: layout.updates, what: msg('acl.what.updates'), fix: 'restrict', tree: true }, platform.rights, ctx.pathApi.join).catch(() => [])).map((f) => f.path);
    await platform.rights.restrictToAdministrators(layout.updates, { othersMayRead: true });
    await writeFileAtomic(file, legacy);
    await platform.rights.restrictToAdministrators(file, { othersMayRead: true });
    await fs.rm(legacyFile);
  } catch (error) {
    return outcome('not-moved', msg('settings.notMoved', { legacy: legacyFile, file, error: (error as Error).message }));
  }
  ctx.forgetConfig();
  if (exposed.length === 0) return outcome('moved', msg('settings.moved', { legacy: legacyFile, file }));
  const shown = exposed.slice(0, 10).join(', ');
  const paths = exposed.length > 10 ? msg('settings.andMore', { paths: shown, count: exposed.length - 10 }) : shown;
  return outcome('moved', msg('settings.movedReview', { legacy: legacyFile, file, folder: layout.updates, paths }));
}

/** For the commands that may change the server: move the settings, say so, and carry on whatever happened. */
export async function moveLegacySettingsAndReport(ctx: Context): Promise<SettingsOutcome> {
  const result = await moveLegacySettings(ctx);
  if (result.state === 'moved' || result.state === 'finished') ctx.output.info(result.detail);
  else if ((result.state === 'not-moved' && !result.badInput) || result.state === 'legacy-ignored') ctx.output.warn(result.detail);
  return result;
}
