// Test-only: gives a sandbox a customised database and publishes a database package in its feed,
// when `sandbox create` does not do it itself yet (then the portal's database page has a case to show).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDatabasePackageFiles, createSandboxDatabase } from '../../../src/database/sandbox-fixtures';
import { parseSigningKey } from '../../../src/feed/keys';
import { buildPackageZip, publishFeed } from '../../../src/feed/publish';
import type { TestSandbox } from '../../helpers/sandbox';

export async function ensureCustomisedDatabase(box: TestSandbox, customize: readonly string[]): Promise<void> {
  const index = JSON.parse(await fs.readFile(path.join(box.Feed, 'release-index.json'), 'utf8')) as { modules?: Record<string, unknown> };
  if (index.modules?.database) return; // the sandbox already has it
  const hostDir = path.dirname(box.HostState);
  await fs.rm(path.join(hostDir, 'database'), { recursive: true, force: true });
  await createSandboxDatabase(hostDir, { version: box.InstalledVersion, customize });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-dbpkg-'));
  try {
    const folder = path.join(work, 'database');
    for (const [name, content] of Object.entries(buildDatabasePackageFiles(box.AvailableVersion, { previousVersions: [box.InstalledVersion] }))) {
      const file = path.join(folder, ...name.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, content);
    }
    const packages = path.join(work, 'packages');
    await fs.mkdir(packages);
    await buildPackageZip(folder, path.join(packages, `database-${box.AvailableVersion}.zip`));
    const key = parseSigningKey(await fs.readFile(box.SigningKey, 'utf8'), box.SigningKey);
    await publishFeed({ packagesDir: packages, key, outDir: box.Feed, expiresInDays: 30, now: new Date() });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
