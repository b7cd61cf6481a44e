// Applying the plan of one web or service module (SPEC §6): everything slow (checks, extraction)
// while the module is online; then a short offline window made of two renames; any failure before
// the module is back online puts everything back. Each step is journaled before it runs (see
// journal.ts): a crash is finished by the next run (recovery.ts). The numbered steps follow
// INSTALL_STEPS.
import { promises as fs } from 'node:fs';
import { AltazionError, toAltazionError } from '../core/errors';
import type { PathApi, InstanceLayout } from '../config/paths';
import type { UpdaterConfig } from '../config/updater-config';
import { msg, recordText, textOf, type Message, type MessageId } from '../core/messages';
import { MANIFEST_FILE, validateManifest } from '../core/package-manifest';
import type { InstallResultRecord } from '../core/records';
import { compareVersions } from '../core/version';
import { diskErrorOr, volumeOf } from '../io/disk';
import { sleep, writeFileAtomic } from '../io/files';
import { collectGarbage } from '../io/garbage';
import { selfIdentity } from '../io/process-identity';
import { describeNetworkError, HttpClient } from '../net/http';
import type { Platform } from '../platform/types';
import { checkHooksSafe, hookInterpreter, runHook } from './hooks';
import { writeJournal, removeJournal, type InstallJournal, type InstallStep, POINT_OF_NO_RETURN, stepIndex, INSTALL_STEPS } from '../install-state/journal';
import { siblingPaths } from './journal-rules';
import { tokenDirOf } from '../install-state/lock';
import { InstallLog } from './log';
import type { HookPhase, ModulePlan } from './plan';
import { describeHolders, holdersOf, removeOwnAppOffline, renameFolder, rollBack, waitForPool, waitForService, type RestoreEnv } from './restore';
import { carryPreserved, extractPackage, inspectPackage } from './staging';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-rules';

export const APP_OFFLINE_HTML = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Mise à jour en cours</title></head>
<body><h1>Mise à jour en cours</h1><p>L'application est en cours de mise à jour et sera de nouveau disponible dans quelques instants.</p>
<p lang="en">This application is being updated and will be back in a few moments.</p></body></html>
`;

/** Called before each journaled step (after the journal was written). Tests inject faults or crashes here. */
export type StepObserver = (step: InstallStep, journal: Readonly<InstallJournal>) => void | Promise<void>;

export interface ApplyEnv {
  layout: InstanceLayout;
  pathApi: PathApi;
  platform: Platform;
  install: UpdaterConfig['install'];
  env: NodeJS.ProcessEnv;
  now: () => Date;
  requestedBy: string;
  host: string;
  progress?: (status: string, percent: number) => void;
  warn?: (message: string | Message) => void;
  /** Each line a hook script prints, as it prints it. */
  hookOutput?: (phase: HookPhase, line: string) => void;
  onStep?: StepObserver;
  zipLimits?: ZipLimits;
  stateTimeoutMs?: number;
  /** HTTP check of a web module (GET answering below 500); replaced in tests. */
  httpCheck?: (url: string) => Promise<Message | string | undefined>;
}

export interface ApplyInput {
  id: string;
  plan: ModulePlan;
  packageFile: string;
  logPath: string;
}

export interface ApplyOutcome {
  record: InstallResultRecord;
  /** The error behind a Failed / RolledBack result. */
  error?: AltazionError;
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;
const exists = (p: string) => fs.stat(p).then(() => true, () => false);

/**
 * GET until the application answers below 500 (60 s). Only answers count against the update: when
 * no answer comes at all (name not resolvable from the server, certificate of an internal CA, ...)
 * the check cannot tell, and says so instead of rolling back a working update.
 */
export async function defaultHttpCheck(url: string, budgetMs = 60_000): Promise<Message | string | undefined> {
  const deadline = Date.now() + budgetMs;
  let lastAnswer: number | undefined;
  let lastError = '';
  // The site is on this server: no proxy; a redirect is an answer.
  const client = new HttpClient({ timeoutMs: 30_000, maxRedirections: 0 });
  try {
    while (Date.now() < deadline) {
      try {
        const response = await client.get(new URL(url));
        response.discard();
        if (response.status < 500) return undefined;
        lastAnswer = response.status;
      } catch (error) {
        lastError = describeNetworkError(error);
      }
      await sleep(1000);
    }
  } finally {
    await client.close();
  }
  if (lastAnswer !== undefined) throw new AltazionError('E_FAILED', `${url} answers HTTP ${lastAnswer} after the update`, { target: url });
  return msg('install.httpUnchecked', { url, error: lastError });
}

export async function applyModuleInstall(env: ApplyEnv, input: ApplyInput): Promise<ApplyOutcome> {
  const { plan, id } = input;
  const { platform, layout, pathApi } = env;
  const started = Date.now();
  const startedAt = env.now().toISOString();
  const log = new InstallLog(input.logPath, env.now);
  const kind = plan.kind as 'web' | 'service';
  const paths = siblingPaths(plan.path, pathApi, plan.fromVersion, id);
  const stateTimeoutMs = env.stateTimeoutMs ?? 120_000;
  const interpreter = hookInterpreter(env.install.powershell, platform.kind, env.env);
  const restoreEnv: RestoreEnv = { layout, platform, log, stateTimeoutMs };
  let offlineAt: number | undefined;
  let healthWarning: Message | string | undefined;
  let onlineAt: number | undefined;
  const downtime = () => (offlineAt === undefined ? 0 : seconds((onlineAt ?? Date.now()) - offlineAt));
  const record = (Result: InstallResultRecord['Result'], message: Message | string, BackupPath: string | null = null): InstallResultRecord => ({
    Name: plan.name, Instance: plan.instance, FromVersion: plan.fromVersion, ToVersion: plan.toVersion, Result,
    StartedAt: startedAt, DurationSeconds: seconds(Date.now() - started), DowntimeSeconds: downtime(),
    BackupPath, LogPath: input.logPath, ...recordText('Message', message), PendingScripts: [],
  });

  log.line(`install ${id}: ${plan.name}${plan.instance ? `[${plan.instance}]` : ''} ${plan.fromVersion} -> ${plan.toVersion} (${kind}) at ${plan.path}, package ${input.packageFile}, requested by ${env.requestedBy}`);

  // 1. Preconditions: the package is safe and fits (nothing changed yet).
  let summary;
  try {
    summary = await inspectPackage(input.packageFile, env.zipLimits ?? DEFAULT_ZIP_LIMITS);
    const m = summary.manifest;
    if (m.module !== plan.name) throw new AltazionError('E_PACKAGE_INVALID', `${input.packageFile}: the package is for module "${m.module}", not "${plan.name}"`, { target: input.packageFile });
    if (compareVersions(m.version, plan.toVersion) !== 0) throw new AltazionError('E_PACKAGE_INVALID', `${input.packageFile}: the package holds version ${m.version}, the index says ${plan.toVersion}`, { target: input.packageFile });
    if (m.kind !== kind) throw new AltazionError('E_PACKAGE_INVALID', `${input.packageFile}: the package is a ${m.kind} module, ${plan.name} is ${kind}`, { target: input.packageFile });
    const free = await platform.fs.freeBytes(pathApi.dirname(paths.modulePath));
    const needed = summary.diskBytes + env.install.minFreeMegabytes * 1024 * 1024;
    if (free < needed) {
      const volume = volumeOf(paths.modulePath);
      throw new AltazionError('E_DISK_SPACE', `not enough free space on the volume ${volume} beside ${paths.modulePath}: ${free} bytes (${Math.round(free / 1048576)} MB) free, ${needed} bytes (${Math.round(needed / 1048576)} MB) needed (the package takes ${Math.round(summary.diskBytes / 1048576)} MB on disk, + ${env.install.minFreeMegabytes} MB margin)`, {
        target: volume, hint: `free at least ${Math.round((needed - free) / 1048576) + 1} MB on ${volume}, then run the install again`,
      });
    }
    // Hooks run as SYSTEM: only when nobody but administrators can change them (SPEC §12).
    await checkHooksSafe({ scripts: Object.values(plan.hooks).map((f) => pathApi.join(layout.scripts, f)), folder: layout.scripts, interpreter, rights: platform.rights });
  } catch (error) {
    const err = toAltazionError(error);
    log.line(`refused before any change: ${err.message}`);
    return { record: record('Failed', err.worded), error: err };
  }
  log.line(`package: ${summary.files} files, ${summary.totalBytes} bytes`);

  const journal: InstallJournal = {
    schemaVersion: 1, id, module: plan.name, instance: plan.instance, kind,
    fromVersion: plan.fromVersion, toVersion: plan.toVersion,
    ...paths,
    appOfflinePath: kind === 'web' ? pathApi.join(paths.modulePath, 'app_offline.htm') : null,
    appOfflineExisted: false,
    pools: [], service: null,
    step: 'stage', direction: 'forward',
    pid: process.pid, host: env.host, process: await processOf(tokenDirOf(layout)), requestedBy: env.requestedBy, startedAt, logPath: input.logPath,
  };
  // `write: false` for steps a journal entry written just before already covers (the pools and the
  // service are recorded with the first offline step; starting them and removing app_offline.htm
  // are all past the point of no return), that only read (wait-handles, verify), or whose effect
  // the recovery reads from the disk itself (the two renames of the swap: rollBack finds the old
  // folder aside or not, and puts it back): each entry is an fsync, and inside the offline window
  // they add up. Only the point of no return must be on disk before the module comes back.
  const step = async (name: InstallStep, write = true) => {
    journal.step = name;
    if (write) await writeJournal(layout, journal);
    log.line(`step ${name}`);
    env.progress?.(name, (stepIndex(name) / INSTALL_STEPS.length) * 100);
    await env.onStep?.(name, journal);
  };
  const hook = async (phase: HookPhase) => {
    const script = plan.hooks[phase];
    // A phase without a script changes nothing: it needs no journal write (each one is an fsync
    // inside the offline window), except POSTINSTALL, whose entry marks the point of no return.
    if (!script && phase !== 'POSTINSTALL') {
      await env.onStep?.(`hook:${phase}` as InstallStep, journal);
      return;
    }
    await step(`hook:${phase}` as InstallStep);
    if (!script) return;
    await runHook({
      phase, script: pathApi.join(layout.scripts, script), interpreter,
      modulePath: paths.modulePath, backupPath: paths.backupPath, pathApi, env: env.env, cwd: layout.scripts,
      log: (line) => log.line(line), decode: (bytes) => platform.decodeConsole(bytes),
      onOutput: (line) => env.hookOutput?.(phase, line),
    });
  };

  try {
    // 2. Stage beside the module, carry the preserved files.
    await step('stage');
    await extractPackage(input.packageFile, paths.stagingPath, env.zipLimits ?? DEFAULT_ZIP_LIMITS);
    const carried = await carryPreserved(paths.modulePath, paths.stagingPath, env.install.preserve);
    log.line(`staged into ${paths.stagingPath}; preserved: ${carried.join(', ') || 'none'}`);

    // 3. Offline. The prior states of the pools and the service are recorded first, with the
    // first offline step, so a crash anywhere after it restores exactly them.
    await hook('STARTUPDATE');
    for (const name of plan.pools) {
      const pool = await platform.iis.getPool(name);
      if (!pool) throw new AltazionError('E_PLATFORM', `application pool "${name}" serving ${plan.path} does not exist`, { target: name });
      journal.pools.push({ name, prior: pool.state });
    }
    if (plan.service) {
      const service = await platform.services.get(plan.service);
      if (!service) throw new AltazionError('E_PLATFORM', `service "${plan.service}" does not exist`, { target: plan.service });
      journal.service = { name: service.name, prior: service.state };
    }
    // Staging left the heap full of garbage: collected now, while online, so that no full
    // collection (28 ms seen under load) falls inside the offline window.
    collectGarbage();
    journal.offlineAt = new Date().toISOString();
    if (kind === 'web') {
      journal.appOfflineExisted = await exists(journal.appOfflinePath!);
      await step('app-offline');
      offlineAt = Date.now();
      // Written in place, not through a temporary file: the journal already names it, so a crash
      // mid-write leaves nothing in the module folder that recovery does not remove.
      if (!journal.appOfflineExisted) await fs.writeFile(journal.appOfflinePath!, APP_OFFLINE_HTML, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
    }
    await step('stop-pools', kind !== 'web');
    for (const { name, prior } of journal.pools) {
      if (prior === 'Stopped') continue;
      log.line(`stopping pool ${name}`);
      await platform.iis.stopPool(name);
    }
    for (const { name } of journal.pools) await waitForPool(platform, name, 'Stopped', stateTimeoutMs);
    await step('stop-service', false);
    if (journal.service && journal.service.prior !== 'Stopped') {
      offlineAt ??= Date.now();
      log.line(`stopping service ${journal.service.name}`);
      await platform.services.stop(journal.service.name);
      await waitForService(platform, journal.service.name, 'Stopped', stateTimeoutMs);
    }
    offlineAt ??= Date.now();

    await step('wait-handles', false);
    const deadline = Date.now() + env.install.lockWaitSeconds * 1000;
    // Waits until nothing holds a file of the module (a worker of the stopped pool may take a
    // moment to exit), naming the holders; past lockWaitSeconds, E_LOCKED naming them.
    const waitForRelease = async (): Promise<void> => {
      env.progress?.('wait-handles', (stepIndex('wait-handles') / INSTALL_STEPS.length) * 100);
      for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
        const holders = await holdersOf(platform, paths.modulePath, log);
        if (holders.length === 0) return;
        log.line(`files still held: ${describeHolders(holders)}`);
        if (Date.now() + delay > deadline) {
          throw new AltazionError('E_LOCKED', `files of ${plan.name} are still held after ${env.install.lockWaitSeconds} s: ${describeHolders(holders)}`, {
            target: paths.modulePath, hint: 'close that program (explorer windows, consoles in the folder, ...) and run the install again',
          });
        }
        env.warn?.(msg('install.waitingFor', { holders: describeHolders(holders) }));
        await sleep(delay);
      }
    };
    // A PREBACKUP hook may read the module's files: they are released first. Without one, the
    // rename below is the test (it fails while anything inside is open) and the holders are only
    // asked for when it fails: asking costs a Restart Manager pass over every file of the module,
    // inside the offline window.
    if (plan.hooks.PREBACKUP) await waitForRelease();

    // 4. Swap.
    await hook('PREBACKUP');
    await step('swap-out', false);
    for (;;) {
      try {
        await renameFolder(platform, paths.modulePath, paths.backupPath, log);
        break;
      } catch (error) {
        if (!(error instanceof AltazionError && error.code === 'E_LOCKED')) throw error;
        await waitForRelease(); // names the holders; E_LOCKED once past the deadline
        if (Date.now() > deadline) throw error; // nothing is held, yet the rename is refused
      }
    }
    await hook('POSTBACKUP');
    await hook('PREINSTALL');
    await step('swap-in', false);
    await renameFolder(platform, paths.stagingPath, paths.modulePath, log);
    await step('verify', false);
    const manifestFile = pathApi.join(paths.modulePath, MANIFEST_FILE);
    const manifest = validateManifest(JSON.parse(await fs.readFile(manifestFile, 'utf8')), manifestFile);
    if (manifest.module !== plan.name || compareVersions(manifest.version, plan.toVersion) !== 0) {
      throw new AltazionError('E_FAILED', `${manifestFile} says ${manifest.module} ${manifest.version} after the swap, expected ${plan.name} ${plan.toVersion}`, { target: manifestFile });
    }
    await hook('POSTINSTALL');

    // Back online.
    await step('start-service', false);
    if (journal.service?.prior === 'Running') {
      await platform.services.start(journal.service.name);
      await waitForService(platform, journal.service.name, 'Running', stateTimeoutMs);
    }
    await step('start-pools', false);
    for (const { name, prior } of journal.pools) if (prior !== 'Stopped') await platform.iis.startPool(name);
    for (const { name, prior } of journal.pools) if (prior !== 'Stopped') await waitForPool(platform, name, 'Started', stateTimeoutMs);
    await step('app-online', false);
    if (journal.appOfflinePath && !journal.appOfflineExisted) await fs.rm(journal.appOfflinePath, { force: true });
    onlineAt = Date.now();
    log.line(`back online after ${downtime()} s`);
    await step('health');
    if (journal.service?.prior === 'Running') {
      const state = (await platform.services.get(journal.service.name))?.state;
      if (state !== 'Running') throw new AltazionError('E_FAILED', `service ${journal.service.name} is ${state ?? 'missing'} after the update`, { target: journal.service.name });
    }
    if (kind === 'web' && plan.url && journal.pools.some((p) => p.prior !== 'Stopped')) {
      const unchecked = await (env.httpCheck ?? defaultHttpCheck)(plan.url);
      if (unchecked) { healthWarning = unchecked; log.line(textOf(unchecked)); env.warn?.(unchecked); }
    }
  } catch (error) {
    // A write the volume refused is the volume's problem (E_DISK_SPACE), whatever step it hit.
    const err = toAltazionError(await diskErrorOr(error, `installing ${plan.name} ${plan.toVersion} (step ${journal.step})`, paths.stagingPath,
      { under: paths.stagingPath, bytes: summary.diskBytes + env.install.minFreeMegabytes * 1024 * 1024 }));
    log.line(`FAILED at step ${journal.step}: ${err.message}`);
    env.warn?.(msg('install.rollingBack', { module: plan.name, error: err.worded }));
    try {
      let problems: string[] = [];
      if (stepIndex(journal.step) === 0 && !(await exists(journal.stagingPath)) && journal.pools.length === 0) {
        await removeJournal(layout, id);
      } else {
        problems = await rollBack(restoreEnv, journal);
      }
      onlineAt = Date.now();
      const step: Message = { id: `step.${journal.step}` as MessageId };
      const message = problems.length
        ? msg('install.rolledBackBut', { error: err.worded, from: plan.fromVersion, step, problems: problems.join('; ') })
        : msg('install.rolledBack', { error: err.worded, from: plan.fromVersion, step });
      return { record: record('RolledBack', message), error: err };
    } catch (rollbackError) {
      const rb = toAltazionError(rollbackError);
      log.line(`ROLLBACK FAILED: ${rb.message}`);
      const message = `${err.message}; the rollback failed too: ${rb.message}. The journal is kept: run "altazion-update repair" (or the next install) to finish it`;
      return { record: record('Failed', message), error: new AltazionError('E_FAILED', message, { target: plan.path, cause: err }) };
    }
  }

  // 5. After the module is back: hook ENDUPDATE (warns only); the journal goes.
  const warnings: Array<Message | string> = healthWarning ? [healthWarning] : [];
  try {
    await hook('ENDUPDATE');
  } catch (error) {
    const message = msg('install.endHookFailed', { error: toAltazionError(error).worded });
    warnings.push(message);
    env.warn?.(message);
  }
  // The previous folder, renamed aside by the swap, is the backup: compressing it (or pruning old
  // ones) is done later, out of the install (backup.ts). Our app_offline.htm went aside with it and
  // must not come back with a restore.
  await removeOwnAppOffline(journal);
  await removeJournal(layout, id);
  const backup = await exists(paths.backupPath) ? paths.backupPath : null;
  log.line(`installed ${plan.toVersion}; backup ${backup ?? '(none)'}; downtime ${downtime()} s`);
  const message = warnings.length
    ? msg('install.installedWith', { from: plan.fromVersion, to: plan.toVersion, warnings })
    : msg('install.installed', { from: plan.fromVersion, to: plan.toVersion });
  return { record: record('Installed', message, backup) };
}

async function processOf(tokenDir: string): Promise<InstallJournal['process']> {
  const me = await selfIdentity(tokenDir);
  return { ...(me.start ? { start: me.start } : {}), ...(me.token ? { token: me.token } : {}) };
}

export { POINT_OF_NO_RETURN };
