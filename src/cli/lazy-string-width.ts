// string-width, loaded on first need. yargs, cliui and wrap-ansi measure every help and message
// line with it, and it builds an emoji RegExp and an Intl.Segmenter when it loads: ~30 ms at every
// start (measured with --cpu-prof on `get --json`), for text that is plain ASCII. build.mjs points
// their imports of `string-width` here; the library itself loads on the first string that is not
// printable ASCII (accents, ANSI colours, wide characters).
type StringWidth = (text: string, options?: object) => number;

let library: StringWidth | undefined;

export default function stringWidth(text: string, options?: object): number {
  if (typeof text === 'string' && /^[\x20-\x7e]*$/.test(text)) return text.length;
  // A require() (not an import) so that the bundle evaluates the library only here.
  library ??= (require('string-width') as { default: StringWidth }).default;
  return library(text, options);
}
