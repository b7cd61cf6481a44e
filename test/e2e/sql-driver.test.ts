// The SQL Server driver as built (dist/mssql.cjs, loaded on first use): without tedious's Azure AD
// sign-in stack (build.mjs), a SQL login still reaches the server, and an Azure AD sign-in, which
// the connection-string reader refuses anyway, fails with a message saying why.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DRIVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/mssql.cjs');

/** Runs `script` in a child Node with `sql` = the built driver; resolves with what it printed. */
function withDriver(script: string): Promise<string> {
  const code = `const sql = require(${JSON.stringify(DRIVER)});\n${script}`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', code], { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the SQL Server driver bundle (dist/mssql.cjs)', function () {
  this.timeout(60_000);

  it('leaves out the Azure AD sign-in libraries', async () => {
    const text = await fs.readFile(DRIVER, 'utf8');
    expect(text).to.contain('Azure AD sign-in is not part of this build');
    expect(text).not.to.match(/msal|DefaultAzureCredential\s*=|class ManagedIdentityCredential/);
  });

  it('connects a SQL login as before: the attempt reaches the server\'s socket', async () => {
    const port = await closedPort();
    const out = await withDriver(`
      new sql.ConnectionPool({ server: '127.0.0.1', port: ${port}, user: 'sa', password: 'x', database: 'd', connectionTimeout: 10000,
        options: { encrypt: true, trustServerCertificate: true } })
        .connect().then(() => console.log('connected'), (e) => console.log(e.code + ' ' + e.message));`);
    expect(out).to.match(/^ESOCKET Failed to connect to 127\.0\.0\.1:\d+/);
  });

  it('says that an Azure AD sign-in is not part of the build', async () => {
    const port = await closedPort();
    const out = await withDriver(`
      new sql.ConnectionPool({ server: '127.0.0.1', port: ${port}, database: 'd', connectionTimeout: 10000,
        authentication: { type: 'token-credential', options: { credential: {} } }, options: { encrypt: true } })
        .connect().then(() => console.log('connected'), (e) => console.log(e.message));`);
    expect(out).to.contain('Azure AD sign-in is not part of this build');
  });
});
