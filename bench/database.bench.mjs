// Database benchmarks (issue 5): batch splitting of a 50 MB T-SQL script, and the drift of a
// 20,000-object catalog against its baseline. Plain Node ESM; the TypeScript sources are loaded
// through tsx's loader. Prints figures (ms, MB/s, objects/s), a baseline measured in the same run
// (a naive regex split that ignores comments and strings; sha256 of the raw definitions without
// normalisation) and the targets; asserts nothing about time (it does check the results).
//   node bench/database.bench.mjs
// Targets: split 50 MB in <= 2 s (>= 25 MB/s); drift of 20,000 objects in <= 5 s.
import os from 'node:os';
import { createHash } from 'node:crypto';
import { register } from 'tsx/esm/api';

register();
const { splitScript } = await import('../src/database/batches.ts');
const { buildBaseline } = await import('../src/database/normalize.ts');
const { computeDrift } = await import('../src/database/drift.ts');

const MB = 1024 * 1024;
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const line = (label, value) => console.log(`database: ${label.padEnd(48)} ${value}`);
const loadBefore = os.loadavg()[0];

// --- 1. batch splitting -------------------------------------------------------------------
// A realistic mix: procedures with nested comments and GO in strings, brackets, quoted
// identifiers, N'' strings with '' escapes, line comments, GO with counts, CRLF lines.
function chunk(i) {
  return [
    `/* script ${i} /* nested GO */ still a comment`,
    'GO',
    '*/',
    `CREATE OR ALTER PROCEDURE [E].[ps_bench_${i}] @id int, @nom nvarchar(100) = N'GO''s default'`,
    'AS',
    'BEGIN',
    '  SET NOCOUNT ON; -- GO in a line comment',
    `  SELECT c.[cli_id], c."cli nom", N'multi-line`,
    'GO',
    `string ${i}' AS [weird]]name]`,
    '  FROM E.clients AS c WHERE c.cli_id = @id AND c.cli_nom LIKE N\'%\' + @nom + N\'%\';',
    'END',
    'GO',
    `INSERT INTO E.parametres (par_nom, par_valeur) VALUES (N'bench_${i}', N'valeur ${i}');\r`,
    'GO 2\r',
    `UPDATE E.clients SET cli_nom = UPPER(cli_nom) WHERE cli_id % 1000 = ${i % 1000};`,
    'go -- done',
    '',
  ].join('\n');
}
const parts = [];
let size = 0;
for (let i = 0; size < 50 * MB; i++) {
  const c = chunk(i);
  parts.push(c);
  size += c.length;
}
const script = parts.join('');
const expectedBatches = parts.length * 3; // procedure, INSERT (GO 2), UPDATE
// Warm-up on a slice, then the measured runs.
splitScript(script.slice(0, 2 * MB));
const runs = [];
let result;
for (let r = 0; r < 3; r++) {
  const start = process.hrtime.bigint();
  result = splitScript(script);
  runs.push(ms(start));
}
const best = Math.min(...runs);
if (result.batches.length !== expectedBatches || result.problems.length) {
  throw new Error(`batch split gave ${result.batches.length} batches (expected ${expectedBatches}), problems: ${JSON.stringify(result.problems.slice(0, 3))}`);
}
line('split 50 MB script: size', `${(script.length / MB).toFixed(1)} MB (${script.length} chars), ${result.batches.length} batches`);
line('split 50 MB script: best of 3', `${best.toFixed(0)} ms, ${((script.length / MB) / (best / 1000)).toFixed(1)} MB/s (runs: ${runs.map((x) => x.toFixed(0)).join(', ')} ms)`);
// Baseline: what a naive splitter costs (a multiline regex on GO lines, wrong inside comments and strings).
const naiveRuns = [];
let naiveCount = 0;
for (let r = 0; r < 3; r++) {
  const s0 = process.hrtime.bigint();
  naiveCount = script.split(/^[ \t]*GO(?:[ \t]+\d+)?[ \t]*(?:--[^\n]*)?\r?$/gim).length;
  naiveRuns.push(ms(s0));
}
const naiveBest = Math.min(...naiveRuns);
line('baseline: naive regex split (wrong on GO in text)', `${naiveBest.toFixed(0)} ms, ${((script.length / MB) / (naiveBest / 1000)).toFixed(1)} MB/s, ${naiveCount} pieces`);
line('split: ratio to the naive regex split', `${(naiveBest / best).toFixed(2)}`);
line('split: target 50 MB in <= 2 s', `${(best / 1000).toFixed(2)} s ${best <= 2000 ? 'met' : 'NOT met'}`);

// --- 2. drift of a 20,000-object catalog ---------------------------------------------------
function catalogOf(count) {
  const objects = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) {
      const columns = [];
      for (let c = 0; c < 12; c++) columns.push({ name: `col_${c}_${i}`, type: c % 3 === 0 ? 'int' : c % 3 === 1 ? 'nvarchar(200)' : 'decimal(18,2)', nullable: c % 2 === 0, identity: c === 0 });
      objects.push({ schema: 'E', name: `table_${i}`, type: 'table', columns });
    } else {
      const type = kind === 1 ? 'view' : kind === 2 ? 'procedure' : 'function';
      const header = type === 'view' ? `CREATE VIEW [E].[obj_${i}] AS` : type === 'procedure' ? `CREATE PROCEDURE E.obj_${i} @id int AS BEGIN` : `CREATE FUNCTION E.obj_${i} (@id int) RETURNS int AS BEGIN`;
      const body = [];
      for (let l = 0; l < 25; l++) body.push(`  /* step ${l} */ SELECT a.[col_${l}], b.col_x, N'libellé ${l}' AS lib FROM E.table_${l} AS a JOIN E.other AS b ON b.id = a.id WHERE a.flag = ${l} -- c`);
      const tail = type === 'view' ? '' : type === 'procedure' ? 'END' : 'RETURN 1 END';
      objects.push({ schema: 'E', name: `obj_${i}`, type, definition: `${header}\n${body.join('\n')}\n${tail}` });
    }
  }
  return { objects };
}
const standard = catalogOf(20000);
const definitionBytes = standard.objects.reduce((n, o) => n + (o.definition?.length ?? 0), 0);
let start = process.hrtime.bigint();
const baseline = buildBaseline('25.10', standard);
const baselineMs = ms(start);
// The live database: reformatted modules (not drift), 1% really changed, 50 dropped, 500 customer objects.
const live = structuredClone(standard);
for (let i = 1; i < live.objects.length; i += 7) {
  const o = live.objects[i];
  if (o.definition) o.definition = o.definition.replace(/\n {2}/g, '\n\t\t').toLowerCase().replace("n'libellé", "N'libellé");
}
let changed = 0;
for (let i = 2; i < live.objects.length; i += 100) { live.objects[i].definition += '\n-- x\n'; live.objects[i].definition = live.objects[i].definition.replace('a.flag = 3', 'a.flag = 4'); changed++; }
live.objects.splice(0, 50 * 4).filter((_, k) => k % 4 !== 0).forEach((o) => live.objects.push(o)); // drop 50 tables
for (let i = 0; i < 500; i++) live.objects.push({ schema: 'dbo', name: `perso_${i}`, type: 'procedure', definition: `CREATE PROCEDURE dbo.perso_${i} AS SELECT ${i}` });
const driftRuns = [];
let drift;
for (let r = 0; r < 3; r++) {
  start = process.hrtime.bigint();
  drift = computeDrift(live, baseline);
  driftRuns.push(ms(start));
}
const bestDrift = Math.min(...driftRuns);
// Worst case: every module reformatted (no byte-identical definition: each one is normalised).
const reformatted = structuredClone(live);
for (const o of reformatted.objects) if (o.definition) o.definition = '-- reformatted\n' + o.definition.replace(/\n  /g, '\n\t');
start = process.hrtime.bigint();
const worst = computeDrift(reformatted, baseline);
const worstMs = ms(start);
line('drift 20,000 objects: catalog', `${live.objects.length} live objects, ${(definitionBytes / MB).toFixed(1)} MB of module text`);
line('drift 20,000 objects: baseline build', `${baselineMs.toFixed(0)} ms`);
line('drift 20,000 objects: best of 3', `${bestDrift.toFixed(0)} ms, ${Math.round(live.objects.length / (bestDrift / 1000))} objects/s (runs: ${driftRuns.map((x) => x.toFixed(0)).join(', ')} ms)`);
// Baseline: hashing the raw texts, without normalisation (the floor of any fingerprinting).
start = process.hrtime.bigint();
for (const o of live.objects) createHash('sha256').update(o.definition ?? JSON.stringify(o.columns)).digest('hex');
const rawMs = ms(start);
line('baseline: sha256 of the raw definitions', `${rawMs.toFixed(0)} ms`);
line('drift 20,000 objects: every module reformatted', `${worstMs.toFixed(0)} ms, ${Math.round(reformatted.objects.length / (worstMs / 1000))} objects/s (all normalised; found ${worst.modified.length} modified)`);
line('drift: target 20,000 objects in <= 5 s', `${(bestDrift / 1000).toFixed(2)} s ${bestDrift <= 5000 ? 'met' : 'NOT met'}; all reformatted ${(worstMs / 1000).toFixed(2)} s ${worstMs <= 5000 ? 'met' : 'NOT met'}`);
line('load average (1 min) before / after', `${loadBefore.toFixed(1)} / ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
line('drift 20,000 objects: found', `${drift.modified.length} modified (expected ${changed}), ${drift.missing.length} missing (expected 50), ${drift.extra.length} extra (expected 500)`);
if (drift.modified.length !== changed || drift.missing.length !== 50 || drift.extra.length !== 500 || worst.modified.length !== changed) throw new Error('drift benchmark found unexpected results');
