/**
 * An RFC 4180 CSV reader: quoted fields may hold delimiters, doubled quotes and
 * line breaks; rows end in LF or CRLF; a UTF-8 BOM is dropped. Spreadsheet
 * programs in comma-decimal locales write `;` between fields, so the delimiter
 * is whichever of `,` `;` tab occurs most often outside quotes in the first line.
 */
import { HotpotError } from "../errors.ts";

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Picks the field delimiter from the header line (default `,`). */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[",", 0], [";", 0], ["\t", 0]]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/**
 * Splits CSV text into rows of fields. Blank lines are dropped. `source` names
 * the file in the error about an unterminated quote.
 */
export function parseCsv(text: string, source = "CSV", delimiter = detectDelimiter(text)): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const delim = delimiter.charCodeAt(0);
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  let line = 1;
  while (i <= n) {
    let field: string;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let parts = "";
      let start = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new HotpotError("bad_file", `${source}: line ${startLine}: quoted field never closed (expected a closing '"')`);
        for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) line++;
        if (text.charCodeAt(q + 1) === QUOTE) {
          parts += text.slice(start, q + 1);
          i = start = q + 2;
          continue;
        }
        field = parts + text.slice(start, q);
        i = q + 1;
        break;
      }
      // Anything between the closing quote and the delimiter is kept, as lenient readers do.
      const end = fieldEnd(text, i, delim);
      if (end > i) field += text.slice(i, end);
      i = end;
    } else {
      const end = fieldEnd(text, i, delim);
      field = text.slice(i, end);
      i = end;
    }
    row.push(field);
    const c = text.charCodeAt(i);
    if (c === delim) {
      i++;
      continue;
    }
    // End of row: CRLF, LF, lone CR or end of text.
    if (c === CR && text.charCodeAt(i + 1) === LF) i++;
    i++;
    line++;
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
  }
  return rows;
}

function fieldEnd(text: string, from: number, delim: number): number {
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === delim || c === LF || c === CR) break;
    i++;
  }
  return i;
}
