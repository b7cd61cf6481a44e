// A name updater.config holds that this version does not know (a typo, a newer setting) is said once
// per command, by whoever loads the file (src/context/context.ts), never once per reading: the
// service re-reads it for every check, job and portal page.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createContext } from '../../../src/cli/context';
import { installModules } from '../../../src/install';
import { Output } from '../../../src/output/output';
import type { ProtocolMessage } from '../../../src/output/protocol';
import { startService } from '../../../src/service/run';
import { makeSandbox, type TestSandbox } from '../../helpers/sandbox';

function collectingOutput(): { output: Output; warnings: () => string[] } {
  const lines: ProtocolMessage[] = [];
  const output = new Output({ json: true, verbose: true, stdout: { write: () => true }, stderr: { write: () => true } });
  output.subscribe((m) => lines.push(m));
  return { output, warnings: () => lines.filter((m) => m.type === 'log' && m.level === 'warning').map((m) => (m as { message: string }).message) };
}

describe('updater.config: unknown names are warned about once', function () {
  this.timeout(120_000);
  let box: TestSandbox;
  const expected = (file: string) => [
    `${file}: <install> @keepBackup is not a setting of this version (did you mean keepBackups?); it is ignored`,
    `${file}: <chek> is not a setting of this version (did you mean <check>?); it is ignored`,
  ];

  beforeEach(async () => {
    box = await makeSandbox();
    const text = await fs.readFile(box.UpdaterConfig, 'utf8');
    await fs.writeFile(box.UpdaterConfig, text.replace('keepBackups="3"', 'keepBackup="5"').replace('</updater>', '  <chek intervalMinutes="30" />\n</updater>'));
  });
  afterEach(async () => { await box.remove(); });

  it('by a context: once, whether it reads the file again or a derived context does', async () => {
    const { output, warnings } = collectingOutput();
    const ctx = createContext({ root: box.Root }, output, process.env);
    const config = await ctx.config();
    expect(config.install.keepBackups, 'the typo falls back to the default').to.equal(3);
    expect(warnings()).to.deep.equal(expected(box.UpdaterConfig));
    ctx.forgetConfig();
    await ctx.config();
    const other = collectingOutput();
    await ctx.withOutput(other.output).config();
    expect(warnings(), 'read again: not repeated').to.have.length(2);
    expect(other.warnings(), 'a derived context: not repeated').to.deep.equal([]);

    // A name added meanwhile (the service runs for months): a quiet context (the minute watch,
    // whose output nobody reads) neither says it nor counts it as said; the next reader says it once.
    await fs.writeFile(box.UpdaterConfig, (await fs.readFile(box.UpdaterConfig, 'utf8')).replace('</updater>', '<telemetry />\n</updater>'));
    const quiet = collectingOutput();
    await ctx.withOutput(quiet.output, { quiet: true }).config();
    expect(quiet.warnings()).to.deep.equal([]);
    const later = collectingOutput();
    const laterCtx = ctx.withOutput(later.output);
    await laterCtx.config();
    laterCtx.forgetConfig();
    await laterCtx.config();
    await ctx.withOutput(later.output).config();
    expect(later.warnings()).to.deep.equal([`${box.UpdaterConfig}: <telemetry> is not a setting of this version; it is ignored`]);

    // A fresh context (the next command) says it again.
    const next = collectingOutput();
    await createContext({ root: box.Root }, next.output, process.env).config();
    expect(next.warnings()).to.deep.equal([...expected(box.UpdaterConfig), `${box.UpdaterConfig}: <telemetry> is not a setting of this version; it is ignored`]);
  });

  it('by the service: on its console and in its log at start, not at each check', async () => {
    const { output, warnings } = collectingOutput();
    const service = await startService(createContext({ root: box.Root }, output, process.env), { port: 0, periodicChecks: false, install: installModules });
    try {
      for (let round = 0; round < 3; round++) {
        const result = await service.runner.trigger(new AbortController().signal);
        expect(result.ok, String(result.ok ? '' : result.error)).to.equal(true);
      }
    } finally {
      await service.stop();
    }
    expect(warnings()).to.deep.equal(expected(box.UpdaterConfig));
    const log = (await fs.readFile(path.join(box.Root, 'bin', 'updates', 'logs', 'service.log'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)) as { level?: string; message?: string });
    expect(log.filter((l) => l.message?.includes('checking the feed')), 'the checks ran').to.have.length(3);
    expect(log.filter((l) => l.message?.includes('is not a setting of this version')).map((l) => l.message)).to.deep.equal(expected(box.UpdaterConfig));
  });
});
