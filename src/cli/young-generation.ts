// Keeps V8's young generation at its initial size (two 1 MB semi-spaces) for the whole run.
//
// V8 doubles the semi-spaces, up to 16 MB each, every time the objects surviving its scavenges add
// up to their size. An install survives a lot of small objects over its minute of work (20,000 zip
// entries staged, then 20,000 files archived into the backup), so the young generation ended at
// 32 MB, almost all of it touched, for no gain: the updater waits on the disk, not on the GC.
// Measured with the install benchmark (`node bench/install.bench.mjs`, 20,000 files / 1 GB):
// peak RSS 148 MB -> 95 MB (3 runs), whole install 88.5 s -> 71.6-78.4 s; on the backup archive
// alone (yazl over the same tree, 2 runs each) 141-147 MB -> 105-111 MB and 18.3-19.8 s ->
// 15.0-15.1 s (less memory to touch).
//
// The size cannot be capped the usual way (--max-semi-space-size): a Node 20 single executable
// takes no node options. The growth factor is read each time V8 grows the space, so setting it to
// 1 once, before any work, leaves the space where it started. Node warns that a flag changed after
// start may do nothing: the install benchmark's peak RSS is what shows this one works (with a
// node upgrade, check it there). tools/sea-main.cjs sets it too, before it compiles the bundle:
// V8 accepts the executable's code cache only under the same flags.
import v8 from 'node:v8';

v8.setFlagsFromString('--semi-space-growth-factor=1');
