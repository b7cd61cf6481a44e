// Layers that point down: every import in src/ (type-only and dynamic ones included) goes to the
// same folder or to a lower layer, and no chain of imports comes back to where it started. The
// import graph is the TypeScript compiler's own (`tsc --explainFiles`: resolved modules, one
// "Imported via" line per import), so it sees exactly what the compiler sees.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Lowest first. A folder may import its own files and the folders of lower layers; folders of
 * one layer do not import each other. README.md's layout table says what each folder holds.
 */
const LAYERS: string[][] = [
  ['core'],
  ['io'],
  ['net', 'output', 'config'],
  ['platform', 'notify'],
  // The install's journal and lock, on disk: written by install, read by get, the portal and repair.
  ['install-state'],
  // The database flows take a narrow context of their own, so the run's context can sit above them.
  ['database'],
  ['context'],
  ['events', 'security'],
  ['feed', 'discovery'],
  ['check'],
  ['install'],
  ['repair'],
  ['schedule'],
  ['service'],
  ['sandbox'],
  ['cli'],
];

/** Imports allowed against the layers, each with its reason (none today). */
const EXCEPTIONS: Array<[from: string, to: string]> = [];

type Edge = { from: string; to: string };

/** Every import between two files of src/, as the compiler resolved it. */
function importsOfSrc(): Edge[] {
  let text: string;
  try {
    text = execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '--explainFiles', '-p', REPO], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    // Type errors make tsc exit non-zero; the explanation is printed all the same.
    text = String((error as { stdout?: string }).stdout ?? '');
  }
  const edges: Edge[] = [];
  let file: string | undefined;
  for (const line of text.split('\n')) {
    if (line && !line.startsWith(' ')) { file = line.trim().replace(/\\/g, '/'); continue; }
    const via = /^\s+Imported via '[^']*' from file '([^']+)'/.exec(line);
    if (via && file) {
      const from = via[1].replace(/\\/g, '/');
      if (from.startsWith('src/') && file.startsWith('src/')) edges.push({ from, to: file });
    }
  }
  return edges;
}

const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1] : '(src)';
};
const rankOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

describe('architecture: imports in src/ point down the layers', function () {
  this.timeout(120_000);
  let edges: Edge[];
  before(() => { edges = importsOfSrc(); });

  it('sees the imports the compiler sees (type-only and dynamic ones too)', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(edges.length).to.be.greaterThan(300);
    expect(has('src/discovery/updates.ts', 'src/database/flow/queries.ts'), 'a dynamic import').to.equal(true);
    expect(has('src/repair/types.ts', 'src/context/context.ts'), 'a type-only import').to.equal(true);
  });

  it('puts every folder of src/ in a layer', () => {
    const folders = [...new Set(edges.flatMap((e) => [folderOf(e.from), folderOf(e.to)]))];
    expect(folders.filter((f) => rankOf(f) < 0), 'folders missing from LAYERS').to.deep.equal([]);
  });

  it('has no import from a lower layer to a higher one, nor between folders of one layer', () => {
    const wrong = edges.filter(({ from, to }) => {
      const [a, b] = [folderOf(from), folderOf(to)];
      if (a === b || EXCEPTIONS.some(([x, y]) => x === from && y === to)) return false;
      return rankOf(b) >= rankOf(a);
    }).map(({ from, to }) => `${from} -> ${to} (${folderOf(from)} may not import ${folderOf(to)})`);
    expect(wrong).to.deep.equal([]);
  });

  it('has no import cycle between files', () => {
    const next = new Map<string, string[]>();
    for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const to of next.get(file) ?? []) {
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' -> '));
        else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of next.keys()) if (!state.has(file)) visit(file);
    expect(cycles).to.deep.equal([]);
  });
});
