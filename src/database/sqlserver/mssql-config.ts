// What we hand to mssql (pure): the tedious configuration for SQL logins, and the ODBC connection
// string for Integrated Security (msnodesqlv8 on Windows). Both carry Encrypt and
// TrustServerCertificate as the connection string says, and neither forces a language, a date
// format or a first day of the week: the login's defaults apply, as in SSMS and in the product.
import type { ParsedConnection } from './connection-string';

/** The configuration object mssql's ConnectionPool takes (tedious flavour; msnodesqlv8 reads connectionString). */
export interface MssqlConfig {
  server: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  connectionTimeout: number;
  requestTimeout: number;
  /** msnodesqlv8 only: the whole ODBC connection string. */
  connectionString?: string;
  pool: { max: number; min: number; idleTimeoutMillis: number };
  options: {
    instanceName?: string;
    encrypt: boolean | 'strict';
    trustServerCertificate: boolean;
    appName: string;
    trustedConnection?: boolean;
    /** null: tedious sends no SET LANGUAGE / DATEFORMAT / DATEFIRST (its defaults would force us_english, mdy, 7). */
    language: string | null;
    dateFormat: null;
    datefirst: null;
    packetSize?: number;
    multiSubnetFailover?: boolean;
    workstationId?: string;
    /** The same ANSI options as SSMS at login; the script session sends its SET block again (SQL_SESSION_OPTIONS). */
    enableAnsiNull: true;
    enableAnsiNullDefault: true;
    enableAnsiPadding: true;
    enableAnsiWarnings: true;
    enableArithAbort: true;
    enableConcatNullYieldsNull: true;
    enableQuotedIdentifier: true;
    enableNumericRoundabort: false;
    enableImplicitTransactions: false;
    enableCursorCloseOnCommit: false;
    abortTransactionOnError: false;
  };
}

export interface ConfigOptions {
  /** 0 = no limit: an upgrade script may legitimately run for a long time. */
  requestTimeoutMs?: number;
  /** A script's own connection: one connection, never shared, never replaced behind our back. */
  dedicated?: boolean;
}

/**
 * mssql configuration. An explicit port wins over the instance name (as in ADO.NET, where
 * `host\inst,1433` connects to port 1433 without asking the SQL Browser).
 */
export function toMssqlConfig(c: ParsedConnection, options: ConfigOptions = {}): MssqlConfig {
  const config: MssqlConfig = {
    server: c.host,
    connectionTimeout: c.connectTimeout,
    requestTimeout: options.requestTimeoutMs ?? 0,
    pool: options.dedicated ? { max: 1, min: 0, idleTimeoutMillis: 2_147_483_647 } : { max: 2, min: 0, idleTimeoutMillis: 30_000 },
    options: {
      encrypt: c.encrypt,
      trustServerCertificate: c.trustServerCertificate,
      appName: c.applicationName ?? 'altazion-update',
      language: c.language ?? null,
      dateFormat: null,
      datefirst: null,
      enableAnsiNull: true,
      enableAnsiNullDefault: true,
      enableAnsiPadding: true,
      enableAnsiWarnings: true,
      enableArithAbort: true,
      enableConcatNullYieldsNull: true,
      enableQuotedIdentifier: true,
      enableNumericRoundabort: false,
      enableImplicitTransactions: false,
      enableCursorCloseOnCommit: false,
      abortTransactionOnError: false,
    },
  };
  if (c.port !== undefined) config.port = c.port;
  else if (c.instanceName) config.options.instanceName = c.instanceName;
  if (c.database) config.database = c.database;
  if (c.packetSize !== undefined) config.options.packetSize = c.packetSize;
  if (c.multiSubnetFailover !== undefined) config.options.multiSubnetFailover = c.multiSubnetFailover;
  if (c.workstationId) config.options.workstationId = c.workstationId;
  if (c.integratedSecurity) config.options.trustedConnection = true;
  else {
    if (c.user !== undefined) config.user = c.user;
    if (c.password !== undefined) config.password = c.password;
  }
  return config;
}

/** The ODBC drivers tried for Integrated Security, newest first (SQL Server Native Client is out of support). */
export const ODBC_DRIVERS = ['ODBC Driver 18 for SQL Server', 'ODBC Driver 17 for SQL Server'] as const;

function odbcValue(value: string): string {
  return /[;{}=\s]/.test(value) ? `{${value.replace(/}/g, '}}')}}` : value;
}

/**
 * The ODBC connection string for Integrated Security through `driver`. ODBC Driver 18 encrypts by
 * default; we always say what the connection string says (Encrypt=no included), so 17 and 18 behave
 * the same, and TrustServerCertificate is carried.
 */
export function odbcConnectionString(c: ParsedConnection, driver: string): string {
  const server = `${c.host}${c.instanceName && c.port === undefined ? `\\${c.instanceName}` : ''}${c.port !== undefined ? `,${c.port}` : ''}`;
  const parts: Array<[string, string]> = [
    ['Driver', `{${driver}}`],
    ['Server', odbcValue(server)],
    ...(c.database ? [['Database', odbcValue(c.database)] as [string, string]] : []),
    ['Trusted_Connection', 'yes'],
    ['Encrypt', c.encrypt === 'strict' ? 'strict' : c.encrypt ? 'yes' : 'no'],
    ['TrustServerCertificate', c.trustServerCertificate ? 'yes' : 'no'],
    ['APP', odbcValue(c.applicationName ?? 'altazion-update')],
    ...(c.language ? [['Language', odbcValue(c.language)] as [string, string]] : []),
    ...(c.multiSubnetFailover ? [['MultiSubnetFailover', 'yes'] as [string, string]] : []),
    ...(c.workstationId ? [['WSID', odbcValue(c.workstationId)] as [string, string]] : []),
    ['Connection Timeout', String(Math.ceil(c.connectTimeout / 1000))],
  ];
  return parts.map(([k, v]) => `${k}=${v}`).join(';') + ';';
}

/** ODBC's "data source name not found and no default driver specified": the driver is not installed. */
export function isDriverMissing(error: unknown): boolean {
  const e = error as { code?: unknown; sqlstate?: unknown; message?: unknown } | undefined;
  return e?.code === 'IM002' || e?.sqlstate === 'IM002' || /\bIM002\b|Data source name not found/i.test(String(e?.message ?? ''));
}
