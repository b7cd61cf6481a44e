import { expect } from 'chai';
import { redact, secretsOf, webhookBody } from '../../../src/notify';

describe('notifications (pure parts)', () => {
  const config = {
    language: 'fr' as const, on: [],
    email: { host: 'smtp.example.test', port: 587, security: 'starttls' as const, user: 'u', password: 'p@ss w0rd', from: 'a@b', to: ['c@d'] },
    webhooks: [{ url: 'https://example.webhook.office.com/webhookb2/abc-TOKEN?sig=xyz' }],
  };

  it('removes the SMTP password and the webhook URL, its path and its query from any text, encoded forms too', () => {
    const secrets = secretsOf(config);
    const text = `auth failed for p@ss w0rd; POST https://example.webhook.office.com/webhookb2/abc-TOKEN?sig=xyz failed; path /webhookb2/abc-TOKEN?sig=xyz; ${encodeURIComponent('p@ss w0rd')}`;
    const clean = redact(text, secrets);
    expect(clean).not.to.contain('p@ss').and.not.to.contain('abc-TOKEN').and.not.to.contain('sig=xyz').and.not.to.contain('p%40ss');
    expect(clean).to.contain('***');
  });

  it('posts {"text": ...}, the body Slack and Teams incoming webhooks accept', () => {
    expect(JSON.parse(webhookBody({ subject: 'S', text: 'T' }))).to.deep.equal({ text: '**S**\n\nT' });
  });
});
