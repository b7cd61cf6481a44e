// What issue 20 tells an administrator (hooks refused, key rotation refused, settings moved, the acl
// and settings checks, who acted) travels as message ids: the English text stays what scripts read,
// and the portal, the Event Log and the notifications word it in French with no English left but
// data (paths, key ids, account names).
import { expect } from 'chai';
import { AltazionError } from '../../../src/core/errors';
import { msg, renderMessage, type Message } from '../../../src/core/messages';
import { acceptKeyList, type KeyState } from '../../../src/feed/key-list';
import { generateSigningKey } from '../../../src/feed/keys';
import { encodeSignatureFile, signIndex, verifySignatures } from '../../../src/feed/signature';
import { checkHooksSafe } from '../../../src/install/hooks';
import { trustedPaths } from '../../../src/security/trusted-paths';
import { instanceLayout } from '../../../src/config/paths';
import path from 'node:path';

/** English words no French sentence of ours contains (the portal's French test uses the same idea). */
const ENGLISH = /\b(the|is|are|was|not|cannot|could|with|from|before|which|this|that|has|have|been|would|only|by|and|to|of|signed|revoked|older|changed|writable|readable|settings)\b/i;

/** The French wording with its data parameters blanked: what remains must be French. */
function frenchWords(message: Message): string {
  const blank = (m: Message): Message => ({
    id: m.id,
    ...(m.params ? { params: Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? '·' : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? '·' : blank(x))) : blank(v as Message)])) } : {}),
  });
  return renderMessage(blank(message), 'fr');
}

function expectWorded(error: unknown, code: string, english: RegExp): AltazionError {
  expect(error).to.be.instanceOf(AltazionError);
  const e = error as AltazionError;
  expect(e.code).to.equal(code);
  expect(e.message).to.match(english);
  expect(e.messageRef, `${code}: a message id`).to.not.equal(undefined);
  expect(frenchWords(e.messageRef!), `${code} in French`).to.not.match(ENGLISH);
  if (e.hintRef) expect(frenchWords(e.hintRef), `${code} hint in French`).to.not.match(ENGLISH);
  return e;
}

async function rejection(run: () => unknown): Promise<unknown> {
  try { await run(); } catch (error) { return error; }
  throw new Error('expected a refusal');
}

describe('issue 20 messages: ids with English and French wording', () => {
  const LOCATION = 'https://feed.example/';
  const NOW = new Date('2026-06-01T00:00:00Z');
  const k1 = generateSigningKey('k1');
  const k2 = generateSigningKey('k2');
  const pub = (k: typeof k1) => ({ id: k.keyId, publicKey: k.publicKey });
  const signed = (doc: object, key: typeof k1) => {
    const bytes = Buffer.from(JSON.stringify(doc));
    return { bytes, signature: Buffer.from(encodeSignatureFile(signIndex(bytes, [key]))) };
  };
  const list = (version: number, keys: object[], revoked: object[] = []) => ({ schemaVersion: 1, keyListVersion: version, generatedAt: NOW.toISOString(), keys, revoked });

  it('E_HOOK_UNSAFE names the file and who else can write it, worded in French with its hint', async () => {
    const rights = { othersAccess: async (p: string) => ({ write: p.endsWith('.ps1') ? [{ sid: 'S-1-5-32-545', name: 'BUILTIN\\Users' }] : [], read: [] }) };
    const error = await rejection(() => checkHooksSafe({ scripts: ['C:\\x\\PREINSTALL_ecommerce.ps1'], folder: 'C:\\x', interpreter: 'C:\\ps.exe', rights }));
    const e = expectWorded(error, 'E_HOOK_UNSAFE', /^the hook script C:\\x\\PREINSTALL_ecommerce\.ps1 can be changed by BUILTIN\\Users \[S-1-5-32-545\], not only by Administrators and SYSTEM/);
    expect(renderMessage(e.messageRef!, 'fr')).to.contain('le script d’administration C:\\x\\PREINSTALL_ecommerce.ps1 peut être modifié par BUILTIN\\Users [S-1-5-32-545]');
    const unreadable = await rejection(() => checkHooksSafe({ scripts: ['s.ps1'], folder: 'f', interpreter: 'i', rights: { othersAccess: async () => { throw new Error('EACCES'); } } }));
    expectWorded(unreadable, 'E_HOOK_UNSAFE', /was not run: who can change it cannot be checked \(EACCES\); nothing was changed/);
  });

  it('key rotation refusals (replayed or changed list, revoked key, unknown key, key id taken) are worded in French', () => {
    const first = acceptKeyList({ ...signed(list(2, [pub(k1), pub(k2)]), k1), configKeys: [pub(k1)], state: undefined, location: LOCATION, now: NOW });
    const replay = (() => { try { acceptKeyList({ ...signed(list(1, [pub(k1)]), k1), configKeys: [pub(k1)], state: first, location: LOCATION, now: NOW }); } catch (e) { return e; } })();
    expectWorded(replay, 'E_FEED_ROLLBACK', /key list version 1 is older than version 2 accepted on .*: a replayed list is refused/);
    const changed = (() => { try { acceptKeyList({ ...signed(list(2, [pub(k1)]), k1), configKeys: [pub(k1)], state: first, location: LOCATION, now: NOW }); } catch (e) { return e; } })();
    expectWorded(changed, 'E_FEED_ROLLBACK', /key list version 2 differs from the one accepted with that version/);
    const taken = (() => { try { acceptKeyList({ ...signed(list(1, [{ id: 'k1', publicKey: k2.publicKey }]), k1), configKeys: [pub(k1)], state: undefined, location: LOCATION, now: NOW }); } catch (e) { return e; } })();
    expectWorded(taken, 'E_FEED_INVALID', /keys\[0\]\.id: "k1" is the id of another key in updater\.config/);

    const revokedState: KeyState = { ...first, revoked: [pub(k1)] };
    const bytes = Buffer.from('{}');
    const bySig = Buffer.from(encodeSignatureFile(signIndex(bytes, [k1])));
    const revoked = (() => { try { verifySignatures(bytes, bySig, { keys: [pub(k1)], revoked: revokedState.revoked }, LOCATION, 'release-index.json'); } catch (e) { return e; } })();
    expectWorded(revoked, 'E_FEED_REVOKED_KEY', /signed only by revoked key "k1": the publisher withdrew it/);
    const unknown = (() => { try { verifySignatures(bytes, bySig, { keys: [pub(k2)] }, LOCATION, 'release-index.json'); } catch (e) { return e; } })();
    expectWorded(unknown, 'E_FEED_UNKNOWN_KEY', /signed by unknown key "k1", not among the trusted keys \("k2"\)/);
    const missing = (() => { try { verifySignatures(bytes, undefined, { keys: [pub(k1)] }, LOCATION, 'release-keys.json'); } catch (e) { return e; } })();
    expectWorded(missing, 'E_FEED_SIGNATURE', /release-keys\.json\.sig: missing: release-keys\.json is not signed/);
  });

  it('what the service trusts, and who acted, are worded in both languages', () => {
    const layout = instanceLayout('C:\\ProgramData\\CPoint\\[e]', path.win32);
    for (const entry of trustedPaths({ layout, pathApi: path.win32, interpreter: 'C:\\ps.exe', serviceBinaryPath: '"C:\\p\\altazion-update.exe" service run' })) {
      expect(frenchWords(entry.what), renderMessage(entry.what)).to.not.match(ENGLISH);
      if (entry.remedy) expect(frenchWords(entry.remedy)).to.not.match(ENGLISH);
    }
    for (const who of ['cli', 'cmdlet', 'portal', 'service'] as const) {
      const m = msg(`who.${who}`, { user: 'CONTOSO\\jdupont' });
      expect(renderMessage(m)).to.contain('CONTOSO\\jdupont');
      expect(frenchWords(m)).to.not.match(ENGLISH);
    }
    expect(renderMessage(msg('event.installStarted', { module: 'ecommerce', from: '1', to: '2', computer: 'SRV', requestedBy: msg('who.service', { user: 'CONTOSO\\planner' }) }), 'fr'))
      .to.equal('Installation de ecommerce 1 → 2 lancée sur SRV (demandée par le service de mise à jour, pour CONTOSO\\planner)');
  });
});
