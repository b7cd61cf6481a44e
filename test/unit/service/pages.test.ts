import { expect } from 'chai';
import type { UpdateRecord } from '../../../src/core/records';
import { translator } from '../../../src/service/portal/i18n';
import { escapeHtml, jsonForHtml, renderLayout, renderModulesTable } from '../../../src/service/portal/pages';

const record = (over: Partial<UpdateRecord>): UpdateRecord => ({
  Name: 'ecommerce', Instance: '', Kind: 'web', Path: 'D:\\apps\\ecommerce\\', InstalledVersion: '25.9.12.3', AvailableVersion: '25.10.1.2',
  UpdateAvailable: true, Downloaded: true, PublishedAt: null, Status: 'UpdateAvailable', Detail: '', ComputerName: 'SRV', ...over,
});

describe('portal pages (pure rendering)', () => {
  it('escapes every value (a module path cannot inject markup)', () => {
    expect(escapeHtml(`<img src=x onerror="a">&'`)).to.equal('&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;');
    const html = renderModulesTable(translator('fr'), [record({ Path: '<script>alert(1)</script>', Detail: '"><b>x' })], 'x', 'fr');
    expect(html).not.to.contain('<script>');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.to.contain('"><b>');
  });

  it('shows an Installer button only for modules with an update, like the legacy page', () => {
    const html = renderModulesTable(translator('fr'), [record({}), record({ Name: 'logistique', UpdateAvailable: false, Status: 'UpToDate', AvailableVersion: '25.9.12.3' })], 'x', 'fr');
    expect(html.match(/data-install="/g)).to.have.length(1);
    expect(html).to.contain('data-install="ecommerce"');
    expect(html).to.contain('>Installer<');
    expect(html).to.contain('Version installée');
    expect(html).to.contain('Mise à jour disponible');
  });

  it('says everything is up to date when nothing is to install, in English too', () => {
    const html = renderModulesTable(translator('en'), [record({ UpdateAvailable: false, Status: 'UpToDate' })], 'x', 'en');
    expect(html).to.contain('Every application is up to date');
    expect(html).not.to.contain('data-install');
  });

  it('puts the CSRF token in a meta tag and has no inline script', () => {
    const html = renderLayout({ lang: 'fr', t: translator('fr'), page: 'modules', csrfToken: 'abc"def', computerName: 'SRV', version: '1.0', body: '' });
    expect(html).to.contain('<meta name="csrf-token" content="abc&quot;def">');
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    for (const tag of scripts) expect(tag, tag).to.match(/type="application\/json"|src="\/assets\/app\.js"/);
    expect(html).not.to.match(/\son[a-z]+=/i);
    expect(html).to.contain('<html lang="fr">');
  });

  it('JSON data blocks cannot close their script element', () => {
    expect(jsonForHtml({ a: '</script><script>x' })).not.to.contain('</script>');
    expect(JSON.parse(jsonForHtml({ a: '</script>&' }))).to.deep.equal({ a: '</script>&' });
  });
});

describe('portal pages: messages of the core in the page language', () => {
  it('words a record detail from its id and parameters in French, data marked translate="no"', () => {
    const html = renderModulesTable(translator('fr'), [record({ Status: 'NotInstalled', UpdateAvailable: false, Detail: 'the folder D:\\x does not exist', DetailId: 'update.folderMissing', DetailParams: { path: 'D:\\x' } })], 'x', 'fr');
    expect(html).to.contain('le dossier <span class="v" translate="no">D:\\x</span> n’existe pas');
    expect(html).not.to.contain('does not exist');
  });

  it('shows a module being installed as such, without a button, even when its folder is renamed for the swap', () => {
    const html = renderModulesTable(translator('fr'), [record({ Detail: 'an install is in progress', DetailId: 'update.installing', DetailParams: { from: '1', to: '2', step: { id: 'step.swap-out' } } })], 'x', 'fr');
    expect(html).to.contain('Installation en cours');
    expect(html).to.contain('mise de côté de la version actuelle');
    expect(html).not.to.contain('data-install');
  });
});
