// ADO.NET connection strings (the format of cpointsoftware.config) -> what we connect with.
// `@tediousjs/connection-string` (mssql's own parser) reads the syntax: keys case-insensitive,
// values quoted with ' " or {}, doubled quotes inside (a `;` inside a value needs quotes). On top of it: the
// documented synonyms, our refusals (no server, no way to log in, bad port, bad boolean, named
// pipes, LocalDB, a key without a value...) each naming the key and never the password, and a note
// for every option we read but do not honour, so the admin knows what differs from the product's
// own connection.
import { parse as parseAdoNet } from '@tediousjs/connection-string';

export interface ParsedConnection {
  /** Host as given (`.`/`(local)` become `localhost`). */
  host: string;
  instanceName?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  integratedSecurity: boolean;
  /** `strict`: TDS 8 (the whole connection under TLS, as Encrypt=Strict in Microsoft.Data.SqlClient). */
  encrypt: boolean | 'strict';
  trustServerCertificate: boolean;
  /** Milliseconds. */
  connectTimeout: number;
  applicationName?: string;
  /** `Current Language`: only when the connection string names one; otherwise the login's default language stays. */
  language?: string;
  packetSize?: number;
  multiSubnetFailover?: boolean;
  workstationId?: string;
  /** Folder of a sandbox database (`Data Source=(sandbox);AttachDbFilename=<dir>`). */
  attachDbFilename?: string;
  /** `(sandbox)` or `sandbox`: the simulated database of a sandbox server. */
  sandbox: boolean;
  /** Options read but not honoured, one sentence each (shown as warnings when the server is opened). */
  notHonoured: string[];
}

export class ConnectionStringError extends Error {}

const CANONICAL: Record<string, string> = {
  'server': 'server', 'data source': 'server', 'address': 'server', 'addr': 'server', 'network address': 'server',
  'database': 'database', 'initial catalog': 'database',
  'user id': 'user', 'uid': 'user', 'user': 'user', 'username': 'user',
  'password': 'password', 'pwd': 'password',
  'integrated security': 'integrated', 'trusted_connection': 'integrated',
  'encrypt': 'encrypt',
  'trustservercertificate': 'trust', 'trust server certificate': 'trust',
  'connect timeout': 'timeout', 'connection timeout': 'timeout', 'timeout': 'timeout',
  'application name': 'app', 'app': 'app',
  'attachdbfilename': 'attach', 'extended properties': 'attach', 'initial file name': 'attach',
  'current language': 'language', 'language': 'language',
  'packet size': 'packetSize',
  'multisubnetfailover': 'multiSubnetFailover', 'multi subnet failover': 'multiSubnetFailover',
  'workstation id': 'workstation', 'wsid': 'workstation',
  'applicationintent': 'intent', 'application intent': 'intent',
  'authentication': 'authentication',
  'column encryption setting': 'columnEncryption',
  'network library': 'network', 'network': 'network', 'net': 'network',
  'user instance': 'userInstance',
  'context connection': 'contextConnection',
  'failover partner': 'failoverPartner',
};

/** ADO.NET options about pooling and client-side behaviour: meaningless for one short-lived updater connection. */
const IGNORED = new Set([
  'pooling', 'min pool size', 'max pool size', 'connection lifetime', 'load balance timeout', 'enlist', 'persist security info',
  'persistsecurityinfo', 'asynchronous processing', 'async', 'multipleactiveresultsets', 'connectretrycount', 'connect retry count',
  'connectretryinterval', 'connect retry interval', 'transaction binding', 'type system version', 'poolblockingperiod',
  'pool blocking period', 'transparentnetworkipresolution', 'transparent network ip resolution', 'replication', 'command timeout',
  'ip address preference', 'hostnameincertificate', 'host name in certificate', 'server spn', 'serverspn', 'failover partner spn',
]);

const SENTINEL = '\u0001end';

/** Keys are compared the way ADO.NET does: case-insensitive, runs of blanks as one. */
function normalizeKey(key: string): string {
  return key.replace(/^[;\s]+/, '').trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * The key whose value broke the syntax (the library only says "malformed"): the last `key=`
 * before which the text still parses.
 */
function culprit(text: string): string | undefined {
  const starts = [...text.matchAll(/(^|;)\s*([^;=]+?)\s*=/g)];
  for (let i = starts.length - 1; i >= 0; i--) {
    try {
      parseAdoNet(text.slice(0, starts[i].index));
      return starts[i][2].trim();
    } catch { /* the problem is earlier */ }
  }
  return undefined;
}

/** Splits `k=v;k2='v;2'` into ordered [key, value] pairs (keys normalised). */
export function parseConnectionPairs(text: string): Array<[string, string]> {
  let parsed: ReadonlyMap<string, string>;
  try {
    // A trailing sentinel pair: the library silently drops a last key without `=`; with the
    // sentinel after it, that key and the sentinel's read as one key holding a `;`, which we refuse.
    parsed = parseAdoNet(`${text};${SENTINEL}=1`);
  } catch (error) {
    const key = culprit(text);
    const unterminated = /terminated unexpectedly/i.test((error as Error).message);
    if (key && unterminated) {
      const quote = /=\s*(["'{])/.exec(text.slice(text.lastIndexOf(key)))?.[1] ?? '"';
      throw new ConnectionStringError(`value of "${key}" has no closing ${quote === '{' ? '}' : quote}`);
    }
    if (key) throw new ConnectionStringError(`unexpected text after the quoted value of "${key}"`);
    throw new ConnectionStringError('not a connection string (key=value;...)');
  }
  const pairs: Array<[string, string]> = [];
  for (const [rawKey, value] of parsed) {
    const key = normalizeKey(rawKey);
    if (key === SENTINEL.toLowerCase()) continue;
    if (key.includes(';')) {
      const missing = rawKey.split(';').map((k) => k.trim()).filter((k) => k && k.toLowerCase() !== SENTINEL.toLowerCase())[0] ?? rawKey.trim();
      // The library lower-cases keys: name it as the admin wrote it.
      const written = text.match(new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'i'))?.[0] ?? missing;
      throw new ConnectionStringError(`key "${written}" has no value (missing "=")`);
    }
    if (key === '') continue;
    pairs.push([key, value]);
  }
  return pairs;
}

function parseBool(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'sspi', '1', 'mandatory'].includes(v)) return true;
  if (['false', 'no', '0', 'optional'].includes(v)) return false;
  throw new ConnectionStringError(`"${key}" has an invalid value "${value}" (expected true or false)`);
}

function parsePositive(key: string, value: string, what: string): number {
  const t = value.trim();
  if (!/^\d+$/.test(t)) throw new ConnectionStringError(`"${key}" must be ${what}, not "${t}"`);
  return Number(t);
}

/** Parses an ADO.NET connection string; throws ConnectionStringError naming the key (never the password). */
export function parseConnectionString(text: string): ParsedConnection {
  const values = new Map<string, { key: string; value: string }>();
  const notHonoured: string[] = [];
  for (const [key, value] of parseConnectionPairs(text)) {
    const canonical = CANONICAL[key];
    if (canonical) values.set(canonical, { key, value }); // last one wins, as in ADO.NET
    else if (IGNORED.has(key)) notHonoured.push(`"${key}" is ignored (a client-side option of ADO.NET; the updater opens its own connections)`);
    else notHonoured.push(`"${key}" is not a connection option the updater knows: ignored`);
  }
  const get = (k: string) => values.get(k)?.value;
  const keyOf = (k: string) => values.get(k)!.key;
  const server = get('server');
  if (!server) throw new ConnectionStringError('no "Server" / "Data Source"');
  let rest = server.trim();
  if (/^tcp:/i.test(rest)) rest = rest.slice(4);
  if (/^(np|lpc|admin):/i.test(rest)) throw new ConnectionStringError(`"${keyOf('server')}" uses a protocol other than TCP ("${server}"); use host, host\\instance or host,port`);
  if (/^\(localdb\)/i.test(rest)) throw new ConnectionStringError(`LocalDB ("${server}") is not supported; use a SQL Server Express or full instance`);
  // `(sandbox)` always; a plain `sandbox` host only means the simulated database on a sandbox host (the flow decides).
  const sandbox = rest.toLowerCase() === '(sandbox)' || rest.toLowerCase() === 'sandbox';
  let port: number | undefined;
  const comma = rest.lastIndexOf(',');
  if (comma >= 0) {
    const p = rest.slice(comma + 1).trim();
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new ConnectionStringError(`"${keyOf('server')}" has an invalid port "${p}"`);
    port = Number(p);
    rest = rest.slice(0, comma).trim();
  }
  let instanceName: string | undefined;
  const slash = rest.indexOf('\\');
  if (slash >= 0) {
    instanceName = rest.slice(slash + 1).trim() || undefined;
    rest = rest.slice(0, slash).trim();
  }
  let host = rest;
  if (host === '.' || host.toLowerCase() === '(local)' || host === '') host = 'localhost';

  const bool = (k: string, fallback: boolean) => (values.has(k) ? parseBool(keyOf(k), get(k)!) : fallback);
  const integratedSecurity = bool('integrated', false);
  let encrypt: boolean | 'strict' = false;
  if (values.has('encrypt')) encrypt = get('encrypt')!.trim().toLowerCase() === 'strict' ? 'strict' : parseBool(keyOf('encrypt'), get('encrypt')!);
  const trust = bool('trust', false);
  const connectTimeout = values.has('timeout') ? parsePositive(keyOf('timeout'), get('timeout')!, 'a number of seconds') * 1000 : 15_000;
  const packetSize = values.has('packetSize') ? parsePositive(keyOf('packetSize'), get('packetSize')!, 'a number of bytes') : undefined;
  const user = get('user') || undefined;

  // Options that would make the updater do something else than the admin expects: refused.
  if (values.has('intent') && get('intent')!.trim().toLowerCase() === 'readonly') {
    throw new ConnectionStringError(`"${keyOf('intent')}=ReadOnly" cannot be used to update a database (a read-only replica); point the default connection at the primary`);
  }
  if (values.has('authentication') && get('authentication')!.trim() !== '' && !/^sql ?password$/i.test(get('authentication')!.trim())) {
    throw new ConnectionStringError(`"${keyOf('authentication')}=${get('authentication')}" is not supported; use a SQL login (User ID / Password) or Integrated Security`);
  }
  if (values.has('columnEncryption') && get('columnEncryption')!.trim().toLowerCase() === 'enabled') {
    throw new ConnectionStringError(`"${keyOf('columnEncryption')}=Enabled" (Always Encrypted) is not supported: scripts would read and write encrypted columns wrongly`);
  }
  if (values.has('network') && !/^(dbmssocn|tcp)$/i.test(get('network')!.trim())) {
    throw new ConnectionStringError(`"${keyOf('network')}=${get('network')}" is not TCP; the updater connects over TCP only`);
  }
  for (const k of ['userInstance', 'contextConnection']) {
    if (values.has(k) && parseBool(keyOf(k), get(k)!)) throw new ConnectionStringError(`"${keyOf(k)}=true" is not supported; use a SQL Server instance`);
  }
  if (values.has('attach') && !sandbox) {
    throw new ConnectionStringError(`"${keyOf('attach')}" (attaching a database file) is not supported; name the database with Initial Catalog`);
  }
  if (values.has('failoverPartner') && get('failoverPartner')!.trim()) {
    notHonoured.push(`"${keyOf('failoverPartner')}" is not honoured: the updater connects to ${server} only (no mirroring failover)`);
  }
  if (!integratedSecurity && !user && !sandbox) {
    throw new ConnectionStringError('neither "User ID" nor "Integrated Security=true": no way to log in');
  }
  return {
    host,
    instanceName,
    port,
    database: get('database') || undefined,
    user: integratedSecurity ? undefined : user,
    password: integratedSecurity ? undefined : get('password'),
    integratedSecurity,
    encrypt,
    trustServerCertificate: trust,
    connectTimeout,
    applicationName: get('app') || undefined,
    language: get('language')?.trim() || undefined,
    packetSize,
    multiSubnetFailover: values.has('multiSubnetFailover') ? bool('multiSubnetFailover', false) : undefined,
    workstationId: get('workstation')?.trim() || undefined,
    attachDbFilename: get('attach') || undefined,
    sandbox,
    notHonoured,
  };
}

/** The connection string with every password value replaced by `***` (for logs and messages). */
export function redactConnectionString(text: string): string {
  try {
    return parseConnectionPairs(text)
      .map(([k, v]) => `${k}=${CANONICAL[k] === 'password' ? '***' : /[;'"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v}`)
      .join(';');
  } catch {
    // Unparseable: hide anything after a password-looking key up to the next ; (or everything).
    return text.replace(/((?:password|pwd)\s*=\s*)("[^"]*"?|'[^']*'?|\{[^}]*\}?|[^;]*)/gi, '$1***');
  }
}

/** `sqlhost\INST / Equihira (SQL login sa)` */
export function describeConnection(c: ParsedConnection): string {
  const server = `${c.host}${c.instanceName ? `\\${c.instanceName}` : ''}${c.port ? `,${c.port}` : ''}`;
  const auth = c.sandbox ? 'sandbox' : c.integratedSecurity ? 'integrated security' : `SQL login ${c.user}`;
  return `${server} / ${c.database ?? '(default database)'} (${auth})`;
}
