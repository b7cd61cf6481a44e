// What a run works with: the instance root and its layout, the output writer, the environment,
// the configuration and the platform. The edge (the CLI, the service, the tests) builds it from
// the root, a writer and the environment; the capabilities below receive it, and none of them
// reads process.env or argv.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { AltazionError, configError } from '../core/errors';
import { instanceLayout, pathApiFor, type InstanceLayout, type PathApi } from '../config/paths';
import { defaultUpdaterConfig, parseUpdaterConfig, unknownSettingMessage, type UpdaterConfig } from '../config/updater-config';
import { unknownNameKey } from '../config/xml';
import type { Output } from '../output/output';
import type { Platform } from '../platform/types';
import type { DatabaseStore } from '../database/store';
import { SandboxPlatform } from '../platform/sandbox';

export interface Context {
  readonly root: string;
  readonly layout: InstanceLayout;
  readonly pathApi: PathApi;
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  /**
   * updater.config (defaults when the file does not exist): bin\updates\updater.config, else the
   * one earlier versions kept in bin\config until it is moved (src/security/settings.ts).
   */
  config(): Promise<UpdaterConfig>;
  /**
   * Reads updater.config again at the next config() (after it was moved or rewritten). Its unknown
   * names are warned about once per context family (see withOutput), not at each reading.
   */
  forgetConfig(): void;
  platform(): Promise<Platform>;
  /** Whether updater.config exists (a feed can only be used when it does). */
  hasUpdaterConfig(): Promise<boolean>;
  /**
   * A context for the same root and environment writing to `output`, reading updater.config afresh.
   * A name updater.config does not know was already warned about by this one: the derived context
   * does not repeat it (the service's checks, jobs and minute watch would every time).
   * `quiet`: an output nobody reads (the minute watch) neither says them nor counts them as said,
   * so that the next check still logs a name added meanwhile.
   */
  withOutput(output: Output, options?: { quiet?: boolean }): Context;
  /**
   * Opens the simulated database of a sandbox host. Given by whoever composes the program (the
   * CLI): the sandbox sits above this layer. Absent, a sandbox host has no database.
   */
  readonly openSandboxDatabase?: (folder: string) => Promise<DatabaseStore>;
}

export function defaultRoot(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (env.ALTAZION_ROOT) return env.ALTAZION_ROOT;
  const programData = env.ProgramData ?? env.PROGRAMDATA ?? (platform === 'win32' ? 'C:\\ProgramData' : '/var/lib');
  return pathApiFor(programData === '/var/lib' ? '/' : programData).join(programData, 'CPoint', '[e]');
}

export async function readOptionalFile(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw configError(file, '(file)', `cannot be read: ${(error as Error).message}`);
  }
}

/** The instance root must be a folder: named when it is missing or a file (a mistyped --root). */
export async function requireInstanceRoot(root: string): Promise<void> {
  const stat = await fs.stat(root).catch(() => undefined);
  if (stat?.isDirectory()) return;
  throw new AltazionError('E_CONFIG', `the instance root ${root} ${stat ? 'is not a folder' : 'does not exist'}`, { target: root, hint: 'pass --root <folder> or set ALTAZION_ROOT to the instance root (the folder holding bin\\config)' });
}

export interface ContextOptions {
  root?: string;
  openSandboxDatabase?: (folder: string) => Promise<DatabaseStore>;
  /** The unknown updater.config names already warned about (shared by withOutput's contexts); null: never warn. */
  warnedUnknown?: Set<string> | null;
}

export function createContext(options: ContextOptions, output: Output, env: NodeJS.ProcessEnv, hostPlatform: NodeJS.Platform = process.platform): Context {
  const root = options.root ?? defaultRoot(env, hostPlatform);
  const { openSandboxDatabase } = options;
  const warnedUnknown = options.warnedUnknown === undefined ? new Set<string>() : options.warnedUnknown;
  // On Windows every path is win32; elsewhere (sandbox, tests) paths are posix unless they look like Windows.
  const pathApi = hostPlatform === 'win32' ? pathApiFor('C:\\') : pathApiFor(root);
  const layout = instanceLayout(root, pathApi);
  let configPromise: Promise<UpdaterConfig> | undefined;
  let platformPromise: Promise<Platform> | undefined;

  const read = async (): Promise<UpdaterConfig> => {
    // Relative paths inside stay relative to bin\config, where the file used to live: moving it
    // must not change what they point to.
    const bytes = await readOptionalFile(layout.updaterConfig);
    if (bytes) return parseUpdaterConfig(bytes, layout.updaterConfig, layout.config, pathApi);
    const legacy = await readOptionalFile(layout.legacyUpdaterConfig);
    if (!legacy) return defaultUpdaterConfig(layout.updaterConfig);
    // Not moved yet (reads change nothing): `repair` reports it, the next install, check,
    // repair or service start moves it.
    return parseUpdaterConfig(legacy, layout.legacyUpdaterConfig, layout.config, pathApi);
  };
  const config = () => {
    configPromise ??= read().then((cfg) => {
      // A setting the admin believes active but this version ignores (a typo, a newer setting): said
      // once per name, whichever file it was read from (the legacy one before its move).
      if (warnedUnknown) {
        for (const unknown of cfg.unknown) {
          const key = unknownNameKey(unknown);
          if (warnedUnknown.has(key)) continue;
          warnedUnknown.add(key);
          output.warn(unknownSettingMessage(cfg.file, unknown));
        }
      }
      return cfg;
    });
    return configPromise;
  };

  const platform = () => {
    platformPromise ??= (async (): Promise<Platform> => {
      await requireInstanceRoot(root);
      const cfg = await config();
      if (cfg.hostKind === 'sandbox') return SandboxPlatform.open(cfg.hostState!);
      if (hostPlatform !== 'win32') {
        throw new AltazionError('E_CONFIG', `${layout.updaterConfig}: <host kind="windows"> but this machine runs ${hostPlatform}; use a sandbox (altazion-update sandbox create) to try the tool here`, { target: layout.updaterConfig });
      }
      const { WindowsPlatform } = await import('../platform/windows');
      return new WindowsPlatform(env, os.hostname());
    })();
    return platformPromise;
  };

  return {
    root,
    layout,
    pathApi,
    output,
    env,
    now: () => new Date(),
    config,
    forgetConfig: () => { configPromise = undefined; },
    platform,
    hasUpdaterConfig: async () => (await readOptionalFile(layout.updaterConfig)) !== undefined || (await readOptionalFile(layout.legacyUpdaterConfig)) !== undefined,
    withOutput: (other, { quiet = false } = {}) => createContext({ root, openSandboxDatabase, warnedUnknown: quiet ? null : warnedUnknown }, other, env, hostPlatform),
    openSandboxDatabase,
  };
}
