/** Quotes a value for a POSIX shell, leaving plain words as they are, so printed commands can be pasted. */
export function shellQuote(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
