// Hook output is decoded with the console's code page (issue 18): Windows PowerShell 5.1 writes
// redirected output in the OEM code page, 850 on French servers. Byte-exact cp850 fixtures, printed
// by a real child process standing for the interpreter.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHook } from '../../../src/install/hooks';
import { consoleDecoder } from '../../../src/platform/windows/console-text';

/** An "interpreter" printing what a French console prints, in cp850: é = \202, è = \212 (octal). */
const CP850_INTERPRETER = `#!/bin/sh
printf 'D:\\\\Sites\\\\Pr\\202sentation\\\\\\r\\n'
printf 'Acc\\212s refus\\202.\\r\\n' >&2
printf 'AUTORITE NT\\\\Syst\\212me'
`;

describe('hook output decoding', () => {
  let dir: string;
  let interpreter: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-hook-output-'));
    interpreter = path.join(dir, 'powershell.sh');
    await fs.writeFile(interpreter, CP850_INTERPRETER, { mode: 0o755 });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const run = async (decode?: (bytes: Buffer) => Promise<string>) => {
    const lines: string[] = [];
    await runHook({
      phase: 'STARTUPDATE', script: path.join(dir, 'STARTUPDATE_ecommerce.ps1'), interpreter, modulePath: dir, backupPath: dir,
      pathApi: path, env: process.env, cwd: dir, log: (line) => lines.push(line), ...(decode ? { decode } : {}),
    });
    return lines;
  };

  it('decodes each line with the code page it is given (850: paths, messages and account names with accents)', async () => {
    const toText = await consoleDecoder(850);
    const lines = await run(async (bytes) => toText(bytes));
    // stdout and stderr are two pipes: their relative order is the OS's; each line is whole.
    expect(lines).to.include.members(['  | D:\\Sites\\Présentation\\', '  ! Accès refusé.', '  | AUTORITE NT\\Système']);
    expect(lines.indexOf('  | D:\\Sites\\Présentation\\')).to.be.below(lines.indexOf('  | AUTORITE NT\\Système'));
    expect(lines[lines.length - 1]).to.equal('hook STARTUPDATE: done');
  });

  it('without a decoder the same bytes are read as UTF-8 and do not match (what the decoder is for)', async () => {
    const lines = await run();
    expect(lines).to.not.include('  ! Accès refusé.');
    expect(lines.some((l) => l.includes('\uFFFD'))).to.equal(true);
  });
});
