// ADO.NET connection strings (the format of cpointsoftware.config) -> an mssql configuration.
// Keys are case-insensitive with their documented synonyms; values may be quoted with ' or "
// (the quote doubled inside), and `;;` inside an unquoted value stands for a literal `;`.
// The password never reaches a log: use redactConnectionString / describeConnection.

export interface ParsedConnection {
  /** Host as given (`.`/`(local)` become `localhost`). */
  host: string;
  instanceName?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  integratedSecurity: boolean;
  encrypt: boolean;
  trustServerCertificate: boolean;
  /** Milliseconds. */
  connectTimeout: number;
  applicationName?: string;
  /** Folder of a sandbox database (`Data Source=(sandbox);AttachDbFilename=<dir>`). */
  attachDbFilename?: string;
  /** `(sandbox)` or `sandbox`: the simulated database of a sandbox server. */
  sandbox: boolean;
}

/** The configuration object mssql's ConnectionPool takes. */
export interface MssqlConfig {
  server: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  connectionTimeout: number;
  requestTimeout: number;
  options: {
    instanceName?: string;
    encrypt: boolean;
    trustServerCertificate: boolean;
    appName: string;
    trustedConnection?: boolean;
  };
}

export class ConnectionStringError extends Error {}

const SYNONYMS: Record<string, string> = {
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
};

/** Splits `k=v;k2='v;2'` into ordered [key, value] pairs (keys lower-cased, trimmed). */
export function parseConnectionPairs(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && (text[i] === ';' || /\s/.test(text[i]))) i++;
    if (i >= n) break;
    // Key: up to `=` (`==` is a literal `=` in a key).
    let key = '';
    for (;;) {
      if (i >= n) throw new ConnectionStringError(`key "${key.trim()}" has no value (missing "=")`);
      if (text[i] === '=') {
        if (text[i + 1] === '=') { key += '='; i += 2; continue; }
        i++;
        break;
      }
      if (text[i] === ';') throw new ConnectionStringError(`key "${key.trim()}" has no value (missing "=")`);
      key += text[i++];
    }
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    let value = '';
    const q = text[i];
    if (q === '"' || q === "'") {
      i++;
      for (;;) {
        if (i >= n) throw new ConnectionStringError(`value of "${key.trim()}" has no closing ${q}`);
        if (text[i] === q) {
          if (text[i + 1] === q) { value += q; i += 2; continue; }
          i++;
          break;
        }
        value += text[i++];
      }
      while (i < n && text[i] !== ';') {
        if (!/\s/.test(text[i])) throw new ConnectionStringError(`unexpected text after the quoted value of "${key.trim()}"`);
        i++;
      }
    } else {
      while (i < n) {
        if (text[i] === ';') {
          if (text[i + 1] === ';') { value += ';'; i += 2; continue; }
          break;
        }
        value += text[i++];
      }
      value = value.trim();
    }
    pairs.push([key.trim().toLowerCase().replace(/\s+/g, ' '), value]);
  }
  return pairs;
}

function parseBool(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'sspi', '1', 'mandatory', 'strict'].includes(v)) return true;
  if (['false', 'no', '0', 'optional'].includes(v)) return false;
  throw new ConnectionStringError(`"${key}" has an invalid value "${value}" (expected true or false)`);
}

/** Parses an ADO.NET connection string; throws ConnectionStringError naming the key (never the password). */
export function parseConnectionString(text: string): ParsedConnection {
  const values = new Map<string, { key: string; value: string }>();
  for (const [key, value] of parseConnectionPairs(text)) {
    const canonical = SYNONYMS[key];
    if (canonical) values.set(canonical, { key, value }); // last one wins, as in ADO.NET
  }
  const get = (k: string) => values.get(k)?.value;
  const server = get('server');
  if (!server) throw new ConnectionStringError('no "Server" / "Data Source"');
  let rest = server.trim();
  if (/^tcp:/i.test(rest)) rest = rest.slice(4);
  if (/^(np|lpc|admin):/i.test(rest)) throw new ConnectionStringError(`"${values.get('server')!.key}" uses a protocol other than TCP ("${server}"); use host, host\\instance or host,port`);
  if (/^\(localdb\)/i.test(rest)) throw new ConnectionStringError(`LocalDB ("${server}") is not supported; use a SQL Server Express or full instance`);
  // `(sandbox)` always; a plain `sandbox` host only means the simulated database on a sandbox host (flow.ts decides).
  const sandbox = rest.toLowerCase() === '(sandbox)' || rest.toLowerCase() === 'sandbox';
  let port: number | undefined;
  const comma = rest.lastIndexOf(',');
  if (comma >= 0) {
    const p = rest.slice(comma + 1).trim();
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new ConnectionStringError(`"${values.get('server')!.key}" has an invalid port "${p}"`);
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

  let integratedSecurity = false;
  if (values.has('integrated')) integratedSecurity = parseBool(values.get('integrated')!.key, get('integrated')!);
  const encrypt = values.has('encrypt') ? parseBool(values.get('encrypt')!.key, get('encrypt')!) : false;
  const trust = values.has('trust') ? parseBool(values.get('trust')!.key, get('trust')!) : false;
  let connectTimeout = 15_000;
  if (values.has('timeout')) {
    const t = get('timeout')!.trim();
    if (!/^\d+$/.test(t)) throw new ConnectionStringError(`"${values.get('timeout')!.key}" must be a number of seconds, not "${t}"`);
    connectTimeout = Number(t) * 1000;
  }
  const user = get('user') || undefined;
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
    attachDbFilename: get('attach') || undefined,
    sandbox,
  };
}

/**
 * mssql configuration. An explicit port wins over the instance name (as in ADO.NET, where
 * `host\inst,1433` connects to port 1433 without asking the SQL Browser).
 */
export function toMssqlConfig(c: ParsedConnection, requestTimeoutMs = 0): MssqlConfig {
  const config: MssqlConfig = {
    server: c.host,
    connectionTimeout: c.connectTimeout,
    // 0 = no limit: an upgrade script may legitimately run for a long time.
    requestTimeout: requestTimeoutMs,
    options: {
      encrypt: c.encrypt,
      trustServerCertificate: c.trustServerCertificate,
      appName: c.applicationName ?? 'altazion-update',
    },
  };
  if (c.port !== undefined) config.port = c.port;
  else if (c.instanceName) config.options.instanceName = c.instanceName;
  if (c.database) config.database = c.database;
  if (c.integratedSecurity) config.options.trustedConnection = true;
  else {
    if (c.user !== undefined) config.user = c.user;
    if (c.password !== undefined) config.password = c.password;
  }
  return config;
}

/** The connection string with every password value replaced by `***` (for logs and messages). */
export function redactConnectionString(text: string): string {
  try {
    return parseConnectionPairs(text)
      .map(([k, v]) => `${k}=${SYNONYMS[k] === 'password' ? '***' : /[;'"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v}`)
      .join(';');
  } catch {
    // Unparseable: hide anything after a password-looking key up to the next ; (or everything).
    return text.replace(/((?:password|pwd)\s*=\s*)("[^"]*"|'[^']*'|[^;]*)/gi, '$1***');
  }
}

/** `sqlhost\INST / Equihira (SQL login sa)` */
export function describeConnection(c: ParsedConnection): string {
  const server = `${c.host}${c.instanceName ? `\\${c.instanceName}` : ''}${c.port ? `,${c.port}` : ''}`;
  const auth = c.sandbox ? 'sandbox' : c.integratedSecurity ? 'integrated security' : `SQL login ${c.user}`;
  return `${server} / ${c.database ?? '(default database)'} (${auth})`;
}
