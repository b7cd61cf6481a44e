// Who runs this process, for the audit trail (install history, schedule, database runs).
import os from 'node:os';

/** The account as Windows names it (DOMAIN\user); the bare user name where no domain is given. */
export function operatorName(env: NodeJS.ProcessEnv): string {
  let name = 'unknown';
  try { name = os.userInfo().username; } catch { /* no passwd entry (a container's arbitrary uid) */ }
  return env.USERDOMAIN && !name.includes('\\') ? `${env.USERDOMAIN}\\${name}` : name;
}
