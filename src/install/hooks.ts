// Admin hook scripts (SPEC §2): bin/updates/scripts/<PHASE>_<module>.ps1 (or `-`, any case, any
// alias), run as
//   <interpreter> -NoProfile -NonInteractive -ExecutionPolicy Bypass -File <script>
// with E_MODULE_PATH and E_BACKUP_PATH (both ending with the path separator). Output goes to the
// install log, decoded line by line with the console's code page (Windows PowerShell 5.1 writes
// redirected output in the OEM code page: 850 on French servers); a non-zero exit fails the step.
// They run as SYSTEM under the service (SPEC §12): before an install changes anything, the scripts
// it will run, their folder and the interpreter must be writable by Administrators and SYSTEM only
// (checkHooksSafe); the interpreter is the system's Windows PowerShell by absolute path unless the
// admin-only updater.config names another.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { AltazionError } from '../core/errors';
import { msg, textOf, type Message } from '../core/messages';
import type { PathApi } from '../config/paths';
import type { FolderRights, Principal } from '../platform/types';
import { powershellExe } from '../platform/windows/bridge-hosts';
import type { HookPhase } from './plan';

/** Where a sandbox looks for PowerShell when updater.config names none. */
export const SANDBOX_POWERSHELL = '/usr/bin/pwsh';

/**
 * The interpreter hooks run with: the configured one (absolute, checked by the config reader), else
 * the system's Windows PowerShell 5.1 by absolute path (never looked up in PATH or the current folder).
 */
export function hookInterpreter(configured: string | undefined, hostKind: 'windows' | 'sandbox', env: NodeJS.ProcessEnv): string {
  if (configured) return configured;
  return hostKind === 'windows' ? powershellExe(env) : SANDBOX_POWERSHELL;
}

export interface HookSafetyInput {
  /** Full paths of the scripts the install will run. */
  scripts: readonly string[];
  /** Their folder (bin\updates\scripts). */
  folder: string;
  interpreter: string;
  rights: Pick<FolderRights, 'othersAccess'>;
}

/** Who else can write, as data (account names and SIDs are the same in every language). */
const names = (principals: readonly Principal[]) => principals.map((p) => (p.name ? `${p.name} [${p.sid}]` : p.sid)).join(', ');

/**
 * Refuses (E_HOOK_UNSAFE, naming the file and who else can write it) when someone besides
 * Administrators and SYSTEM can change a script, the scripts folder or the interpreter: what they
 * wrote would run as SYSTEM. When the rights cannot be read, the answer is also no.
 */
export async function checkHooksSafe(input: HookSafetyInput): Promise<void> {
  if (input.scripts.length === 0) return;
  const subjects: Array<{ path: string; what: Message; hint: Message }> = [
    ...input.scripts.map((script) => ({ path: script, what: msg('hook.what.script'), hint: msg('hook.unsafe.scriptHint') })),
    { path: input.folder, what: msg('hook.what.folder'), hint: msg('hook.unsafe.folderHint') },
    { path: input.interpreter, what: msg('hook.what.interpreter'), hint: msg('hook.unsafe.interpreterHint') },
  ];
  for (const subject of subjects) {
    let writers: Principal[];
    try {
      writers = (await input.rights.othersAccess(subject.path)).write;
    } catch (error) {
      throw new AltazionError('E_HOOK_UNSAFE', msg('hook.unsafeUnchecked', { what: subject.what, path: subject.path, error: (error as Error).message }), { target: subject.path, hint: subject.hint, cause: error });
    }
    if (writers.length > 0) {
      throw new AltazionError('E_HOOK_UNSAFE', msg('hook.unsafe', { what: subject.what, path: subject.path, who: names(writers) }), { target: subject.path, hint: subject.hint });
    }
  }
}

export function hookArguments(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script];
}

/** A folder path ending with exactly one separator of its flavour (`D:\app\x\`, `/srv/x/`). */
export function withTrailingSeparator(folder: string, api: PathApi): string {
  const sep = api.sep;
  return folder.replace(/[\\/]+$/, '') + sep;
}

export async function listHookFiles(scriptsDir: string): Promise<string[]> {
  const entries = await fs.readdir(scriptsDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && /\.ps1$/i.test(e.name)).map((e) => e.name);
}

export interface HookRun {
  phase: HookPhase;
  script: string;
  interpreter: string;
  modulePath: string;
  backupPath: string;
  pathApi: PathApi;
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: (line: string) => void;
  /** Decodes what the interpreter printed (platform.decodeConsole); default UTF-8. */
  decode?: (bytes: Buffer) => Promise<string>;
  /** Each line the script prints, decoded, as it prints it (stdout and stderr). */
  onOutput?: (line: string) => void;
  timeoutMs?: number;
}

export async function runHook(run: HookRun): Promise<void> {
  const env = {
    ...run.env,
    E_MODULE_PATH: withTrailingSeparator(run.modulePath, run.pathApi),
    E_BACKUP_PATH: withTrailingSeparator(run.backupPath, run.pathApi),
  };
  run.log(`hook ${run.phase}: ${run.interpreter} ${hookArguments(run.script).join(' ')}`);
  const decode = run.decode ?? (async (bytes: Buffer) => bytes.toString('utf8'));
  let lines: Promise<void> = Promise.resolve();
  const code = await new Promise<number | Message>((resolve) => {
    let child;
    try {
      child = spawn(run.interpreter, hookArguments(run.script), { env, cwd: run.cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      resolve(msg('hook.cannotStart', { interpreter: run.interpreter, error: (error as Error).message }));
      return;
    }
    const timer = setTimeout(() => { child.kill(); }, run.timeoutMs ?? 30 * 60_000);
    // Lines are cut on the byte 0x0A (a line feed in every console code page and in UTF-8) and
    // decoded whole, in arrival order.
    const forward = (stream: NodeJS.ReadableStream, label: string) => {
      let pending: Buffer = Buffer.alloc(0);
      const emit = (bytes: Buffer) => {
        lines = lines.then(async () => {
          const text = (await decode(bytes).catch(() => bytes.toString('utf8'))).replace(/\r$/, '');
          run.log(`  ${label} ${text}`);
          run.onOutput?.(text);
        });
      };
      stream.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        for (let end = pending.indexOf(0x0a); end >= 0; end = pending.indexOf(0x0a)) {
          emit(pending.subarray(0, end));
          pending = pending.subarray(end + 1);
        }
      });
      stream.on('end', () => { if (pending.length) emit(pending); });
    };
    forward(child.stdout!, '|');
    forward(child.stderr!, '!');
    child.on('error', (error) => { clearTimeout(timer); resolve(msg('hook.cannotStart', { interpreter: run.interpreter, error: error.message })); });
    child.on('close', (exit, signal) => { clearTimeout(timer); resolve(signal ? msg('hook.killed', { signal }) : exit ?? -1); });
  });
  await lines;
  if (code === 0) {
    run.log(`hook ${run.phase}: done`);
    return;
  }
  const what = typeof code === 'number' ? msg('hook.exitCode', { code }) : code;
  run.log(`hook ${run.phase}: FAILED (${textOf(what)})`);
  throw new AltazionError('E_HOOK', msg('hook.failed', { phase: run.phase, script: run.script, what }), {
    target: run.script, hint: msg('hook.hint'),
  });
}
