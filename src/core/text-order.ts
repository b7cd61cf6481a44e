// Orderings for names (modules, instances, SQL objects, files). Ordinal, not localeCompare: the
// same order on every server whatever its Windows locale, and no ICU collator to build (the first
// localeCompare costs ~14 ms, measured in `get --json` with --cpu-prof).

/** Code-unit order of two strings. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit order of two strings, ignoring case (SQL Server and Windows names). */
export function compareTextIgnoringCase(a: string, b: string): number {
  return compareText(a.toLowerCase(), b.toLowerCase());
}
