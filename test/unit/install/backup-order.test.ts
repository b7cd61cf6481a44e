// Which backups are the newest: the history's order, not the install ids (two installs within one
// second have ids that differ only by their random part, which does not sort by time).
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instanceLayout } from '../../../src/config/paths';
import { compressPendingBackups } from '../../../src/install/backup';
import { appendInstallHistory } from '../../../src/install/history';

describe('backups="folder": the newest backups by the history', () => {
  let root: string;
  beforeEach(async () => { root = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-backup-order-')); });
  afterEach(async () => { await fs.rm(root, { recursive: true, force: true }); });

  it('keeps the backup of the later install although its id sorts first (same second)', async () => {
    const layout = instanceLayout(root);
    const modulePath = path.join(root, 'Sites', 'ecommerce');
    await fs.mkdir(modulePath, { recursive: true });
    // The earlier install's random part sorts after the later one's.
    const earlier = `${modulePath}.altazion-backup-20261205T020000-ffffff`;
    const later = `${modulePath}.altazion-backup-20261205T020000-000000`;
    for (const [folder, from, to] of [[earlier, '25.9.12.3', '25.10.1.2'], [later, '25.10.1.2', '25.10.1.2']]) {
      await fs.mkdir(folder);
      await fs.writeFile(path.join(folder, 'default.htm'), from);
      await appendInstallHistory(layout, {
        Id: path.basename(folder).slice(-22), Name: 'ecommerce', Instance: '', FromVersion: from, ToVersion: to, Result: 'Installed',
        StartedAt: '2026-12-05T02:00:00.000Z', DurationSeconds: 0, DowntimeSeconds: 0, BackupPath: folder, LogPath: null, Message: '',
        PendingScripts: [], RequestedBy: 'cli', User: 'admin', ComputerName: 'SRV',
      });
    }
    const work = await compressPendingBackups(layout, [{ name: 'ecommerce', instance: '', path: modulePath }], { format: 'folder', keep: 1 });
    expect(work.map((w) => w.folder)).to.deep.equal([earlier]);
    expect(await fs.readFile(path.join(later, 'default.htm'), 'utf8')).to.equal('25.10.1.2');
    expect(await fs.stat(earlier).then(() => true, () => false)).to.equal(false);
  });
});
