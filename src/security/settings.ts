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
import type { Context } from '../cli/context';
import { readOptionalFile } from '../cli/context';
import { parseUpdaterConfig } from '../config/updater-config';
import { writeFileAtomic } from '../io/files';
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
  detail: string;
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
  const outcome = (state: SettingsState, detail: string): SettingsOutcome => ({ state, file, legacyFile, detail });
  let current: Buffer | undefined;
  let legacy: Buffer | undefined;
  try {
    [current, legacy] = await Promise.all([readOptionalFile(file), readOptionalFile(legacyFile)]);
  } catch (error) {
    return outcome('not-moved', (error as Error).message);
  }
  if (!legacy) return outcome('current', current ? `settings in ${file}` : `no ${file}: defaults`);
  if (current) {
    if (!current.equals(legacy)) {
      return outcome('legacy-ignored', `${legacyFile} is ignored: the settings are read from ${file} (delete ${legacyFile} once you have checked nothing in it is missing from ${file})`);
    }
    if (options.dryRun) return outcome('would-move', `${legacyFile} is a leftover copy of ${file}: it would be deleted`);
    try {
      await fs.rm(legacyFile, { force: true });
    } catch (error) {
      return outcome('legacy-ignored', `${legacyFile} (a leftover copy of ${file}) cannot be deleted: ${(error as Error).message}`);
    }
    return outcome('finished', `deleted ${legacyFile}, a leftover copy of ${file}`);
  }
  try {
    // Bad input changes nothing: a file that does not parse stays where it is (config() reports it).
    parseUpdaterConfig(legacy, legacyFile, layout.config, ctx.pathApi);
  } catch (error) {
    return { ...outcome('not-moved', (error as Error).message), badInput: true };
  }
  if (options.dryRun) return outcome('would-move', `the settings are in ${legacyFile}, which module identities may be allowed to write: they would move to ${file}`);
  let exposed: string[] = [];
  try {
    const platform = await ctx.platform();
    await fs.mkdir(layout.updates, { recursive: true });
    // The new home must be admin-only before the settings land in it; what others could change
    // there until now is named (hook scripts among it deserve a look).
    exposed = (await findOthersAccess({ path: layout.updates, what: '', fix: 'restrict', tree: true }, platform.rights, ctx.pathApi.join).catch(() => [])).map((f) => f.path);
    await platform.rights.restrictToAdministrators(layout.updates, { othersMayRead: true });
    await writeFileAtomic(file, legacy);
    await platform.rights.restrictToAdministrators(file, { othersMayRead: true });
    await fs.rm(legacyFile);
  } catch (error) {
    return outcome('not-moved', `the settings could not be moved from ${legacyFile} to ${file}: ${(error as Error).message}`);
  }
  ctx.forgetConfig();
  const review = exposed.length ? `; ${layout.updates} is now admin-only, but others could change ${exposed.slice(0, 10).join(', ')}${exposed.length > 10 ? ` and ${exposed.length - 10} more` : ''} until now: check them` : '';
  return outcome('moved', `moved the settings from ${legacyFile} (module identities may write there) to ${file} (Administrators and SYSTEM only)${review}`);
}

/** For the commands that may change the server: move the settings, say so, and carry on whatever happened. */
export async function moveLegacySettingsAndReport(ctx: Context): Promise<SettingsOutcome> {
  const result = await moveLegacySettings(ctx);
  if (result.state === 'moved' || result.state === 'finished') ctx.output.info(result.detail);
  else if ((result.state === 'not-moved' && !result.badInput) || result.state === 'legacy-ignored') ctx.output.warn(result.detail);
  return result;
}
