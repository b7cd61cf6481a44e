// What an install journal may name (pure). The journal is a file on disk that recovery obeys:
// renames, deletions, pools and services started or stopped. So it is input, not truth: recovery
// acts only on a journal whose every path is one our install would have written for a module
// declared in applicationspath.config, and whose pools and service are that module's. Anything
// else is refused (E_JOURNAL_INVALID, exit 2) naming the file and the field.
import { isInside, samePath, type PathApi } from '../config/paths';
import type { ApplicationEntry } from '../config/applications';
import { INSTALL_STEPS, type InstallJournal } from '../install-state/journal';

/** Install ids: `20260102T030405-a1b2c3` (newInstallId). */
export const INSTALL_ID = /^\d{8}T\d{6}-[0-9a-f]{6}$/;

/** The folders an install uses beside the module folder, in our naming. */
export function siblingPaths(modulePath: string, api: PathApi, fromVersion: string, id: string) {
  const folder = modulePath.replace(/[\\/]+$/, '');
  const parent = api.dirname(folder);
  const base = api.basename(folder);
  return {
    modulePath: folder,
    stagingPath: api.join(parent, `${base}.altazion-staging-${id}`),
    backupPath: api.join(parent, `${base}.altazion-backup-${fromVersion.replace(/[^0-9A-Za-z.]/g, '_')}-${id}`),
    failedPath: api.join(parent, `${base}.altazion-failed-${id}`),
  };
}

export interface JournalFacts {
  /** The journal file's own path (its name must be `<id>.json`). */
  file: string;
  pathApi: PathApi;
  /** applicationspath.config's entries. */
  declared: readonly ApplicationEntry[];
  /** bin/updates/logs: where install logs live. */
  logsDir: string;
  /** Pools serving the module path (IIS), and the declared appPool. */
  poolsFor(modulePath: string, entry: ApplicationEntry): string[];
  /** The services of the module (declared serviceName, or whose binary is inside the module path). */
  servicesFor(modulePath: string, entry: ApplicationEntry): string[];
}

export interface JournalProblem { field: string; problem: string }

const POOL_STATES = ['Started', 'Starting', 'Stopped', 'Stopping', 'Unknown'];
const SERVICE_STATES = ['Running', 'Stopped', 'StartPending', 'StopPending', 'Paused', 'Unknown'];
const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The first reason not to obey this journal, or undefined when recovery may act on it. */
export function journalProblem(value: unknown, facts: JournalFacts): JournalProblem | undefined {
  const api = facts.pathApi;
  if (!value || typeof value !== 'object') return { field: '(file)', problem: 'is not a JSON object' };
  const j = value as Partial<InstallJournal> & Record<string, unknown>;
  if (j.schemaVersion !== 1) return { field: 'schemaVersion', problem: `${JSON.stringify(j.schemaVersion)} is not 1` };
  if (!str(j.id) || !INSTALL_ID.test(j.id)) return { field: 'id', problem: `${JSON.stringify(j.id)} is not an install id` };
  if (api.basename(facts.file) !== `${j.id}.json`) return { field: 'id', problem: `"${j.id}" does not match the file name` };
  if (!INSTALL_STEPS.includes(j.step as never)) return { field: 'step', problem: `${JSON.stringify(j.step)} is not an install step` };
  if (j.direction !== 'forward' && j.direction !== 'rollback') return { field: 'direction', problem: `${JSON.stringify(j.direction)} is not forward or rollback` };
  if (j.kind !== 'web' && j.kind !== 'service') return { field: 'kind', problem: `${JSON.stringify(j.kind)} is not web or service` };
  if (!str(j.module)) return { field: 'module', problem: 'is missing' };
  if (typeof j.instance !== 'string') return { field: 'instance', problem: 'is missing' };
  if (!str(j.fromVersion) || !str(j.toVersion)) return { field: str(j.fromVersion) ? 'toVersion' : 'fromVersion', problem: 'is missing' };
  if (!str(j.modulePath)) return { field: 'modulePath', problem: 'is missing' };
  if (typeof j.pid !== 'number' || !str(j.host)) return { field: typeof j.pid !== 'number' ? 'pid' : 'host', problem: 'is missing' };

  const entry = facts.declared.find((e) => e.name === j.module && e.instance.toLowerCase() === j.instance!.toLowerCase());
  if (!entry) {
    return facts.declared.some((e) => e.name === j.module)
      ? { field: 'instance', problem: `"${j.instance}" is not an instance of ${j.module} declared in applicationspath.config` }
      : { field: 'module', problem: `"${j.module}" is not declared in applicationspath.config` };
  }
  if (!samePath(entry.path, j.modulePath)) return { field: 'modulePath', problem: `"${j.modulePath}" is not the path applicationspath.config declares for ${j.module} ("${entry.path}")` };

  const expected = siblingPaths(entry.path, api, j.fromVersion, j.id);
  for (const field of ['stagingPath', 'backupPath', 'failedPath'] as const) {
    if (!str(j[field]) || !samePath(j[field] as string, expected[field])) {
      return { field, problem: `${JSON.stringify(j[field])} is not the folder an install of ${j.module} names "${expected[field]}"` };
    }
  }
  const appOffline = api.join(expected.modulePath, 'app_offline.htm');
  if (j.appOfflinePath !== null && !(str(j.appOfflinePath) && samePath(j.appOfflinePath, appOffline))) {
    return { field: 'appOfflinePath', problem: `${JSON.stringify(j.appOfflinePath)} is neither null nor "${appOffline}"` };
  }
  if (typeof j.appOfflineExisted !== 'boolean') return { field: 'appOfflineExisted', problem: 'is not true or false' };
  if (!str(j.logPath) || !isInside(j.logPath, facts.logsDir) || api.basename(j.logPath) !== `install-${j.id}.log`) {
    return { field: 'logPath', problem: `${JSON.stringify(j.logPath)} is not "install-${j.id}.log" in ${facts.logsDir}` };
  }

  if (!Array.isArray(j.pools)) return { field: 'pools', problem: 'is not a list' };
  const pools = facts.poolsFor(expected.modulePath, entry).map((p) => p.toLowerCase());
  for (const [index, pool] of j.pools.entries()) {
    if (!pool || !str(pool.name) || !POOL_STATES.includes(pool.prior)) return { field: `pools[${index}]`, problem: 'is not a pool name with its prior state' };
    if (!pools.includes(pool.name.toLowerCase())) return { field: `pools[${index}].name`, problem: `"${pool.name}" does not serve ${expected.modulePath} (pools serving it: ${pools.join(', ') || 'none'})` };
  }
  if (j.service !== null) {
    const service = j.service as InstallJournal['service'];
    if (!service || !str(service.name) || !SERVICE_STATES.includes(service.prior)) return { field: 'service', problem: 'is neither null nor a service name with its prior state' };
    const services = facts.servicesFor(expected.modulePath, entry).map((s) => s.toLowerCase());
    if (!services.includes(service.name.toLowerCase())) return { field: 'service.name', problem: `"${service.name}" is not the service of ${j.module} (${services.join(', ') || 'none found'})` };
  }
  return undefined;
}
