// Keeps V8's young generation at its initial size (two 1 MB semi-spaces) for the rest of the run.
// Called by the commands that run long and touch many files (install, service run), not at start:
// for a short command it costs more scavenges than it saves (`get` on a sandbox, 25 alternated
// runs of the bundle: 241 ms with it, 231 ms without), and set before the executable compiles its
// bundle it would make V8 refuse the SEA code cache, which is only valid under the flags it was
// made with.
//
// V8 doubles the semi-spaces, up to 16 MB each, every time the objects surviving its scavenges add
// up to their size. An install survives a lot of small objects over its minute of work (20,000 zip
// entries staged, then 20,000 files archived into the backup), so the young generation ended at
// 32 MB, almost all of it touched, for no gain: the updater waits on the disk, not on the GC.
// Measured with the install benchmark (`node bench/install.bench.mjs`, 20,000 files / 1 GB):
// peak RSS 148 MB -> 95 MB (3 runs, flag set at start) or 102 MB (set by the install command, as
// now), whole install 88.5 s -> 71.6-91.7 s (a noisy disk); on the backup archive
// alone (yazl over the same tree, 2 runs each) 141-147 MB -> 105-111 MB and 18.3-19.8 s ->
// 15.0-15.1 s (less memory to touch).
//
// The size cannot be capped the usual way (--max-semi-space-size): a Node 20 single executable
// takes no node options. The growth factor is read each time V8 grows the space, so setting it to
// 1 once, before the work, leaves the space where it started. Node warns that a flag changed after
// start may do nothing: the install benchmark's peak RSS is what shows this one works (with a
// node upgrade, check it there).
import v8 from 'node:v8';

export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
