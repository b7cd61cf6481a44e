// The portal's database side (issue 21) on a real sandbox: the module list and the database page
// run at most one database analysis per change of the database, however many times they are
// viewed; a database that cannot be proven standard shows the admin's buttons, the reason and the
// diffs of what differs.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../../../src/cli/context';
import { instanceLayout } from '../../../src/config/paths';
import { memoryAnalysisCache } from '../../../src/database/flow/analysis';
import { silentOutput } from '../../../src/output/output';
import { createSandbox } from '../../../src/sandbox/create';
import { SandboxStore } from '../../../src/sandbox/database/store';
import { createPortalBackend } from '../../../src/service/portal/backend';
import { translator } from '../../../src/service/portal/i18n';
import { renderDatabasePage } from '../../../src/service/portal/pages';

describe('portal: the database page and the module list, one analysis per change', function () {
  this.timeout(120_000);
  let base: string;
  after(async () => { if (base) await fs.rm(base, { recursive: true, force: true }); });

  it('reuses the analysis across pages and requests, and analyses again after the database changes', async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-portal-db-'));
    const sb = await createSandbox({ root: path.join(base, 'root'), feed: path.join(base, 'feed'), modules: ['ecommerce', 'database'] });
    // The database package in the cache, as `check` leaves it.
    const layout = instanceLayout(sb.Root);
    await fs.mkdir(layout.cache, { recursive: true });
    const zip = (await fs.readdir(path.join(sb.Feed, 'packages'))).find((n) => n.startsWith('database-'))!;
    await fs.copyFile(path.join(sb.Feed, 'packages', zip), path.join(layout.cache, zip));

    const ctx = createContext({ root: sb.Root }, silentOutput(), {});
    const analysisCache = memoryAnalysisCache();
    const backend = createPortalBackend({ ctx, contextFor: () => ctx, install: async () => [], checkNow: async () => ({ ok: true }), analysisCache });
    for (let i = 0; i < 5; i++) {
      const modules = await backend.modules();
      expect(modules.find((m) => m.Name === 'database')).to.deep.include({ InstalledVersion: sb.InstalledVersion });
      const view = (await backend.database())!;
      expect(view).to.deep.include({ installed: true, customized: false, manual: false });
      expect(view.scripts.filter((s) => s.Status === 'Pending')).to.have.length(4);
    }
    expect(analysisCache.analyses).to.equal(1);

    // The admin changes a standard view by hand: one new analysis, then reused again.
    const store = new SandboxStore(path.join(base, 'host', 'database'));
    await store.alterCatalog((c) => { const v = c.objects.find((o) => o.name === 'vw_clients_actifs')!; v.definition = v.definition!.replace('WHERE', 'WHERE 1 = 1 AND'); });
    for (let i = 0; i < 5; i++) {
      const view = (await backend.database())!;
      expect(view).to.deep.include({ customized: true, manual: true });
      expect(view.diffs!['E.vw_clients_actifs']).to.match(/\n\+.*WHERE 1 = 1 AND cli_actif/);
      await backend.modules();
    }
    expect(analysisCache.analyses).to.equal(2);

    // The page: the admin's buttons, the reason, the diff.
    const view = (await backend.database())!;
    const html = renderDatabasePage(translator('en'), view, undefined, 'en');
    expect(html).to.contain('data-run-script="2025-10/0001"').and.contain('data-mark-applied="2025-10/0001"');
    expect(html).to.contain('the database is customised');
    // The French page words the same verdict in French (the object names are data).
    const french = renderDatabasePage(translator('fr'), view, undefined, 'fr');
    expect(french).to.contain('la base de données est personnalisée').and.contain('<span class="v" translate="no">E.vw_clients_actifs (Modified)</span>');
    expect(french).not.to.contain('the database is customised');
    expect(html).to.contain('<code>E.vw_clients_actifs</code>').and.match(/\n\+.*WHERE 1 = 1 AND cli_actif/);
  });

  it('shows the buttons and the reason when the schema cannot be proven standard (not "standard, applied automatically")', () => {
    const html = renderDatabasePage(translator('en'), {
      installed: true, installedVersion: '2019-2', availableVersion: '25.10.1.2', customized: false, manual: true,
      detail: 'no baseline of the installed database version 19.2: the schema cannot be proven standard', action: 'Review the scripts',
      drift: { modified: [], missing: [], extra: [] },
      scripts: [{ Id: '2025-10/0001', Version: '25.10', Number: 1, Name: 'x', Status: 'Pending', TouchesCustomizedObjects: false, Objects: [], Sha256: '0' }],
    }, undefined, 'en');
    expect(html).to.contain('data-run-script="2025-10/0001"');
    expect(html).to.contain('cannot be proven standard');
    expect(html).not.to.contain(translator('en')('database.standard'));
  });
});
