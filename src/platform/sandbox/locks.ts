// Real lock holders on Linux: the processes whose open file descriptors (or working directory)
// point inside the given folders, read from /proc. The sandbox uses real processes to hold
// files, so this is the sandbox's Restart Manager.
import { promises as fs, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../../config/paths';
import type { LockHolder } from '../types';

async function userName(uid: number): Promise<string> {
  try {
    const passwd = await fs.readFile('/etc/passwd', 'utf8');
    const line = passwd.split('\n').find((l) => l.split(':')[2] === String(uid));
    return line ? line.split(':')[0] : String(uid);
  } catch {
    return String(uid);
  }
}

async function processInfo(pid: number): Promise<{ image: string; uid: number } | undefined> {
  try {
    const [comm, status, cmdline] = await Promise.all([
      fs.readFile(`/proc/${pid}/comm`, 'utf8'),
      fs.readFile(`/proc/${pid}/status`, 'utf8'),
      fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
    ]);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    // Sandbox holders announce a Windows image name as `--image=<name>` (e.g. w3wp.exe, explorer.exe).
    const announced = cmdline.split('\0').find((arg) => arg.startsWith('--image='))?.slice('--image='.length);
    return { image: announced || comm.trim(), uid };
  } catch {
    return undefined;
  }
}

export async function findHolders(paths: readonly string[], excludePid = process.pid): Promise<LockHolder[]> {
  const targets = paths.map((p) => path.resolve(p));
  const holders: LockHolder[] = [];
  let pids: number[];
  try {
    pids = (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
  // Synchronous /proc reads: a few microseconds each, where the thread pool costs tens of
  // milliseconds per scan, and a scan runs inside the offline window of an install.
  const found: Array<{ pid: number; held: string }> = [];
  for (const pid of pids) {
    if (pid === excludePid) continue;
    let held: string | undefined;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        let link = '';
        try { link = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { /* closed meanwhile */ }
        if (link && targets.some((t) => isInside(link, t))) { held = link; break; }
      }
      if (!held) {
        let cwd = '';
        try { cwd = readlinkSync(`/proc/${pid}/cwd`); } catch { /* gone */ }
        if (cwd && targets.some((t) => isInside(cwd, t))) held = cwd;
      }
    } catch {
      continue; // process gone or not ours to inspect
    }
    if (held) found.push({ pid, held });
  }
  for (const { pid, held } of found) {
    const info = await processInfo(pid);
    if (!info) continue;
    holders.push({ pid, image: info.image, user: await userName(info.uid), path: held });
  }
  return holders;
}
