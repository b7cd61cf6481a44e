// Test scaffolding: adapts the hook command line the installer uses on Windows
//   <interpreter> -NoProfile -NonInteractive -ExecutionPolicy Bypass -File <script>
// to the PowerShell test host (test/pwsh-host: `pwsh-host --file <script>`, one JSON document out)
// so the install tests run REAL .ps1 hooks in a real PowerShell engine. Prints what the script
// wrote, and exits 1 when the script failed (terminating error, error records, or `exit n`).
// PWSH_HOST_DLL: the built pwsh-host.dll (the tests get it from test/helpers/pwsh.ts).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const at = args.findIndex((a) => a.toLowerCase() === '-file');
if (at < 0 || !args[at + 1]) {
  process.stderr.write(`pwsh-hook: expected -File <script>, got: ${args.join(' ')}\n`);
  process.exit(64);
}
for (const flag of ['-NoProfile', '-NonInteractive']) {
  if (!args.includes(flag)) { process.stderr.write(`pwsh-hook: ${flag} missing\n`); process.exit(64); }
}
const dll = process.env.PWSH_HOST_DLL;
if (!dll) { process.stderr.write('pwsh-hook: PWSH_HOST_DLL is not set\n'); process.exit(64); }
const run = spawnSync('dotnet', [dll, '--file', args[at + 1]], { encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
if (run.status !== 0) {
  process.stderr.write(`pwsh-hook: pwsh-host exited ${run.status}: ${run.stderr}\n`);
  process.exit(1);
}
const doc = JSON.parse(run.stdout);
for (const o of doc.output ?? []) process.stdout.write(`${typeof o === 'string' ? o : JSON.stringify(o)}\n`);
for (const i of doc.information ?? []) process.stdout.write(`${i.text}\n`);
for (const h of doc.host ?? []) process.stdout.write(`${h.text}\n`);
for (const e of doc.error ?? []) process.stderr.write(`${e.message}\n`);
if (doc.terminatingError) process.stderr.write(`${doc.terminatingError.message}\n`);
process.exit(doc.terminatingError || doc.hadErrors ? 1 : 0);
