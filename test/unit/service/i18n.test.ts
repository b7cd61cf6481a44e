import { expect } from 'chai';
import { MESSAGES, negotiateLanguage, translate } from '../../../src/service/portal/i18n';

describe('portal i18n (pure)', () => {
  it('is French by default and for anything that is neither French nor English', () => {
    expect(negotiateLanguage(undefined)).to.equal('fr');
    expect(negotiateLanguage('')).to.equal('fr');
    expect(negotiateLanguage('de-DE,de;q=0.9')).to.equal('fr');
    expect(negotiateLanguage('*')).to.equal('fr');
    expect(negotiateLanguage('fr-FR,fr;q=0.9,en;q=0.5')).to.equal('fr');
  });

  it('is English when the browser prefers English', () => {
    expect(negotiateLanguage('en-US,en;q=0.9')).to.equal('en');
    expect(negotiateLanguage('de,en-GB;q=0.8,fr;q=0.5')).to.equal('en');
    expect(negotiateLanguage('fr;q=0.3, en;q=0.7')).to.equal('en');
    expect(negotiateLanguage('EN')).to.equal('en');
  });

  it('ignores q=0 (explicitly refused) and keeps header order on ties', () => {
    expect(negotiateLanguage('en;q=0, fr;q=0.1')).to.equal('fr');
    expect(negotiateLanguage('en, fr')).to.equal('en');
    expect(negotiateLanguage('fr, en')).to.equal('fr');
  });

  it('has the same keys, all non-empty, in both languages', () => {
    expect(Object.keys(MESSAGES.en).sort()).to.deep.equal(Object.keys(MESSAGES.fr).sort());
    for (const lang of ['fr', 'en'] as const) for (const [k, v] of Object.entries(MESSAGES[lang])) expect(v, `${lang} ${k}`).to.be.a('string').and.not.equal('');
  });

  it('uses the legacy wording for the button and fills placeholders', () => {
    expect(translate('fr', 'button.install')).to.equal('Installer');
    expect(translate('en', 'button.install')).to.equal('Install');
    expect(translate('fr', 'install.done', { name: 'ecommerce', version: '25.10.1.2' })).to.equal('Installation terminée : ecommerce 25.10.1.2');
    expect(translate('en', 'install.done', { name: 'x' })).to.equal('Installation finished: x {version}');
  });
});
