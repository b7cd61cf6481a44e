// Keeps V8's young generation at its initial size for the rest of the run. Called by the commands
// that run long and touch many files (install, check and service run, which compress backups), not
// at start: a short command gains nothing, and a flag changed before the executable compiles its
// bundle would make V8 refuse the SEA code cache, which is only valid under the flags it was made
// with. Measured on the shipped Node 26 (bench/README.md, install): staging 100,000 files 158 ->
// 105 MB peak RSS, compressing a 100,000-file backup 159 -> 115 MB; no change at 2,000 files.
//
// V8 doubles the semi-spaces, up to 16 MB each, whenever the objects surviving a scavenge fill
// them; an install survives many small objects (zip entries, files archived), so the young
// generation grew to 32 MB for no gain: the updater waits on the disk, not on the GC. The size
// cannot be capped with --max-semi-space-size (a Node 20 single executable takes no node
// options), but the growth factor is read each time the space grows, so setting it to 1 before the
// work leaves the space where it started. Node warns that a flag changed after start may do
// nothing: the install benchmark's peak RSS is what shows it works (bench/README.md).
import v8 from 'node:v8';

export function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
