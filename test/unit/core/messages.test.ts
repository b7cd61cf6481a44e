import { expect } from 'chai';
import { AltazionError } from '../../../src/core/errors';
import { CATALOGUES, messageParts, msg, recordText, renderMessage } from '../../../src/core/messages';
import { errorMessage } from '../../../src/output/protocol';

const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('core messages (codes with parameters)', () => {
  it('French and English carry the same ids with the same placeholders', () => {
    expect(Object.keys(CATALOGUES.fr).sort()).to.deep.equal(Object.keys(CATALOGUES.en).sort());
    for (const [id, english] of Object.entries(CATALOGUES.en)) {
      expect(placeholders(CATALOGUES.fr[id as keyof typeof CATALOGUES.fr]), id).to.deep.equal(placeholders(english));
    }
  });

  it('words nested messages and lists in each language; data stays as is', () => {
    const m = msg('install.rolledBack', { error: msg('hook.failed', { phase: 'PREINSTALL', script: 'PREINSTALL_ecommerce.ps1', what: msg('hook.exitCode', { code: 3 }) }), from: '25.9', step: { id: 'step.swap-in' } });
    expect(renderMessage(m)).to.equal('hook PREINSTALL (PREINSTALL_ecommerce.ps1) failed: exit code 3 — rolled back to 25.9 (failed at step swap-in)');
    expect(renderMessage(m, 'fr')).to.equal('le script d’administration PREINSTALL (PREINSTALL_ecommerce.ps1) a échoué : code de sortie 3 — retour à la version 25.9 (échec à l’étape « mise en place de la nouvelle version »)');
    expect(renderMessage(msg('list', { items: [msg('update.downloaded'), 'raw text'] }), 'fr')).to.equal('téléchargée et vérifiée ; raw text');
    expect(renderMessage(msg('progress.mb', { received: 1.5, total: 10 }), 'fr')).to.equal('1,5 / 10 Mo');
    expect(messageParts(msg('update.folderMissing', { path: '/x' }), 'fr').filter((p) => p.data).map((p) => p.text)).to.deep.equal(['/x']);
  });

  it('records keep their English text and carry the id and parameters beside it', () => {
    expect(recordText('Detail', msg('update.folderMissing', { path: '/x' }))).to.deep.equal({ Detail: 'the folder /x does not exist', DetailId: 'update.folderMissing', DetailParams: { path: '/x' } });
    expect(recordText('Detail', 'plain')).to.deep.equal({ Detail: 'plain' });
  });

  it('errors keep message and hint in English on the protocol line, with messageId/params and hintId beside', () => {
    const error = new AltazionError('E_HOOK', msg('hook.failed', { phase: 'ENDUPDATE', script: 's.ps1', what: msg('hook.exitCode', { code: 1 }) }), { target: 's.ps1', hint: msg('hook.hint') });
    const line = errorMessage(error);
    expect(line.message).to.equal('hook ENDUPDATE (s.ps1) failed: exit code 1');
    expect(line.hint).to.equal('its output is in the install log (LogPath)');
    expect(line.messageId).to.equal('hook.failed');
    expect(line.params).to.deep.equal({ phase: 'ENDUPDATE', script: 's.ps1', what: { id: 'hook.exitCode', params: { code: 1 } } });
    expect(line.hintId).to.equal('hook.hint');
  });
});
