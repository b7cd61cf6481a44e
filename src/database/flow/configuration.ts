// Where the database flows find their inputs: the default connection of cpointsoftware.config and
// the store it opens (SQL Server, or a sandbox host's simulated database), the database package
// (given, or the newest in the cache), the baselines we kept of installed versions, and the
// database module's folder.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseApplicationsConfig, type ApplicationEntry } from '../../config/applications';
import { defaultConnection, parseConnectionsConfig } from '../../config/connections';
import { AltazionError } from '../../core/errors';
import { msg } from '../../core/messages';
import { compareVersions, isVersion } from '../../core/version';
import { parseBaseline, type Baseline } from '../catalog';
import { openDatabasePackage, type DatabasePackage } from '../package';
import { versionKey } from '../plan';
import { ConnectionStringError, parseConnectionString, redactConnectionString, type ParsedConnection } from '../sqlserver/connection-string';
import type { DatabaseStore } from '../store';
import type { DatabaseContext } from './context';

/**
 * The default connection of cpointsoftware.config, parsed. Bad input names the file and the
 * connection. `identity`: its name and connection string, password hidden (which database it is).
 */
export async function readDefaultConnection(ctx: Pick<DatabaseContext, 'layout'>): Promise<{ name: string; parsed: ParsedConnection; file: string; identity: string }> {
  const file = ctx.layout.connectionsConfig;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new AltazionError('E_CONFIG', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { target: file, hint: 'the database connection comes from bin\\config\\cpointsoftware.config' });
  }
  const entry = defaultConnection(parseConnectionsConfig(bytes, file), file);
  try {
    return { name: entry.name, parsed: parseConnectionString(entry.connectionString), file, identity: `${entry.name}: ${redactConnectionString(entry.connectionString)}` };
  } catch (error) {
    if (!(error instanceof ConnectionStringError)) throw error;
    throw new AltazionError('E_CONFIG', `${file}: <Connection name="${entry.name}"> connectionString: ${error.message}`, {
      target: file, hint: `connection string (password hidden): ${redactConnectionString(entry.connectionString)}`,
    });
  }
}

/** Opens the database of the default connection: the sandbox's files on a sandbox host, SQL Server otherwise. */
export async function openDatabaseStore(ctx: DatabaseContext): Promise<DatabaseStore> {
  const { name, parsed, file } = await readDefaultConnection(ctx);
  const platform = await ctx.platform();
  // `(sandbox)` is never a real server; a server really named `sandbox` is one outside a sandbox host.
  const sandboxServer = parsed.sandbox && (platform.kind === 'sandbox' || parsed.host.toLowerCase() === '(sandbox)');
  if (sandboxServer) {
    if (platform.kind !== 'sandbox' || !ctx.openSandboxDatabase) {
      throw new AltazionError('E_CONFIG', `${file}: <Connection name="${name}"> points at a sandbox database but this is not a sandbox host`, { target: file });
    }
    const folder = parsed.attachDbFilename ?? parsed.database;
    if (!folder) throw new AltazionError('E_CONFIG', `${file}: <Connection name="${name}"> connectionString: a sandbox database needs Initial Catalog=<folder>`, { target: file });
    return ctx.openSandboxDatabase(path.resolve(ctx.layout.config, folder));
  }
  for (const note of parsed.notHonoured) ctx.output.warn(`${file}: <Connection name="${name}">: ${note}`);
  const { MssqlStore } = await import('../sqlserver/mssql-store');
  try {
    return await MssqlStore.open(parsed);
  } catch (error) {
    // Configuration problems name the file and the connection they come from.
    if (error instanceof AltazionError && error.code === 'E_CONFIG') {
      throw new AltazionError('E_CONFIG', `${file}: <Connection name="${name}">: ${error.message}`, { target: file, hint: error.hint, cause: error });
    }
    throw error;
  }
}

/** Where we keep the baseline of the version we installed (used when a later package does not carry it). */
export function savedBaselinePath(ctx: Pick<DatabaseContext, 'layout'>, version: string): string {
  return path.join(ctx.layout.updates, 'database', `baseline-${versionKey(version)}.json`);
}

export async function readSavedBaseline(ctx: Pick<DatabaseContext, 'layout'>, version: string): Promise<Baseline | undefined> {
  const file = savedBaselinePath(ctx, version);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseBaseline(JSON.parse(text), file);
  } catch (error) {
    throw new AltazionError('E_CONFIG', (error as Error).message, { target: file });
  }
}

/** The standard definitions we kept beside a saved baseline (for diffs when a later package does not carry them). */
export function savedDefinitionsPath(ctx: Pick<DatabaseContext, 'layout'>, version: string): string {
  return path.join(ctx.layout.updates, 'database', `baseline-${versionKey(version)}.definitions.json`);
}

export async function readSavedDefinitions(ctx: Pick<DatabaseContext, 'layout'>, version: string): Promise<Record<string, string> | undefined> {
  const text = await fs.readFile(savedDefinitionsPath(ctx, version), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text) as { definitions?: Record<string, string> }).definitions;
  } catch {
    return undefined; // only used for diffs
  }
}

/** The newest database package in the cache (`<cache>/database-<version>.zip`), if any. */
export async function findCachedDatabasePackage(ctx: Pick<DatabaseContext, 'layout'>): Promise<string | undefined> {
  const names = await fs.readdir(ctx.layout.cache).catch(() => [] as string[]);
  const candidates = names
    .map((n) => /^database-(.+)\.zip$/i.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && isVersion(m[1]))
    .sort((a, b) => compareVersions(b[1], a[1]));
  return candidates.length ? path.join(ctx.layout.cache, candidates[0][0]) : undefined;
}

/** No package to compare with where one is needed. */
export function noPackageError(ctx: Pick<DatabaseContext, 'layout'>): AltazionError {
  return new AltazionError('E_NOT_FOUND', msg('db.noPackage', { folder: ctx.layout.cache }), { target: ctx.layout.cache, hint: msg('db.noPackageHint') });
}

/** The package to work with: the one given (opened or a location), else the newest in the cache. */
export async function resolvePackage(ctx: Pick<DatabaseContext, 'layout'>, pkg: string | DatabasePackage | undefined, required: boolean): Promise<DatabasePackage | undefined> {
  if (pkg && typeof pkg !== 'string') return pkg;
  const location = pkg ?? (await findCachedDatabasePackage(ctx));
  if (!location) {
    if (!required) return undefined;
    throw noPackageError(ctx);
  }
  return openDatabasePackage(location);
}

/** The entries of applicationspath.config (undefined when missing or unreadable: the commands that need it report it). */
async function applicationEntries(ctx: Pick<DatabaseContext, 'layout'>): Promise<ApplicationEntry[] | undefined> {
  const bytes = await fs.readFile(ctx.layout.applicationsConfig).catch(() => undefined);
  if (!bytes) return undefined;
  try {
    return parseApplicationsConfig(bytes, ctx.layout.applicationsConfig);
  } catch {
    return undefined;
  }
}

/** The folder of the `database` entry of applicationspath.config for an instance (undefined when none or unreadable). */
export async function databaseModuleFolder(ctx: Pick<DatabaseContext, 'layout'>, instance: string): Promise<string | undefined> {
  const entry = (await applicationEntries(ctx))?.find((e) => e.name === 'database' && e.instance.toLowerCase() === instance.toLowerCase());
  if (!entry) return undefined;
  const stat = await fs.stat(entry.path).catch(() => undefined);
  return stat?.isDirectory() ? entry.path : undefined;
}

/** Whether applicationspath.config declares a database module (what the service's minute check needs to run). */
export async function declaresDatabaseModule(ctx: Pick<DatabaseContext, 'layout'>): Promise<boolean> {
  return ((await applicationEntries(ctx)) ?? []).some((e) => e.name === 'database' || e.kind === 'database');
}
