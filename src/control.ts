/**
 * Control characters in user text (filters, keys, names). A NUL reaching
 * SQLite inside a JSON path, or a newline reaching a log line, is never
 * meant; callers refuse such text with a message naming the character.
 */

/** C0 controls and DEL. */
const ANY = /[\u0000-\u001f\u007f]/;
/** The same, less tab, line feed and carriage return, for text where they are whitespace. */
const BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** "control character U+0000 at position 3", or null when `text` has none. */
export function controlCharacter(text: string, whitespaceAllowed = false): string | null {
  const m = (whitespaceAllowed ? BUT_WHITESPACE : ANY).exec(text);
  if (!m) return null;
  return `control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index + 1}`;
}
