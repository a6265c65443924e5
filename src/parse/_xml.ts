/**
 * The XML half of the GPX and TCX readers. Building a whole document tree runs at
 * about 13 MB/s, and almost all of an activity file is points. So the content of
 * every point container (`<trkseg>`, `<Track>`) is cut out with a native byte
 * search and left as a byte range for the hand-written scanner in _scan.ts; what
 * remains (the skeleton: metadata, names, types, the containers with an index as
 * their text) is a few kilobytes that fast-xml-parser validates and parses fully.
 *
 *   <gpx><trk><name>Ride</name><trkseg>  <trkpt ...>...</trkpt> ...  </trkseg></trk></gpx>
 *                                      |<------- body 0: bytes ---->|
 *   skeleton: <gpx><trk><name>Ride</name><trkseg>0</trkseg></trk></gpx>
 *
 * Truncation and corruption are still caught: the skeleton is validated (unclosed
 * root, mismatched tags, text after the root), and a container whose closing tag
 * is missing is reported before anything is scanned.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { HotpotError } from "../errors.ts";

export interface XmlFormat {
  /** Name used in messages, e.g. "GPX". */
  label: string;
  /** Local name of the document element. */
  root: string;
  /** Local name of the elements whose content is cut out and scanned by hand. */
  body: string;
  /** Local names that always parse to arrays, so one and many read alike. */
  arrays: readonly string[];
}

export type XmlNode = Record<string, unknown>;

export interface XmlDocument {
  /** The document element; each body element's text is its index into `bodies`. */
  root: XmlNode;
  /** UTF-8 bytes the body ranges point into. */
  bytes: Uint8Array;
  /** Byte ranges [start, end) of each body's content, flattened, in document order. */
  bodies: number[];
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isNameByte = (c: number) => c > 0x7f || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f;

const utf8 = new TextDecoder();
const parsers = new Map<string, XMLParser>();

function parserFor(format: XmlFormat): XMLParser {
  let parser = parsers.get(format.root);
  if (!parser) {
    const arrays = new Set(format.arrays);
    parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@_",
      removeNSPrefix: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      parseTagValue: false,
      parseAttributeValue: false,
      isArray: (name) => arrays.has(name),
    });
    parsers.set(format.root, parser);
  }
  return parser;
}

/** Reads an XML activity file into its skeleton and point-container byte ranges; throws bad_file when broken. */
export function readXml(input: Uint8Array, format: XmlFormat): XmlDocument {
  const bytes = toUtf8(input);
  let first = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (first < bytes.length && isSpace(bytes[first])) first++;
  if (first === bytes.length) {
    throw new HotpotError("bad_file", `expected a ${format.label} document, found an empty file`);
  }
  if (bytes[first] !== LT) {
    throw new HotpotError("bad_file", `expected a ${format.label} (XML) document starting with "<", found ${describeStart(bytes, first)}`);
  }
  const { skeleton, bodies, placeholders } = cutBodies(bytes, first, format);
  const checked = XMLValidator.validate(skeleton);
  if (checked !== true) {
    const { line, col, msg } = checked.err;
    const at = originalLine(bytes, first, skeleton, bodies, placeholders, line, col ?? 1);
    throw new HotpotError("bad_file", `expected a well-formed ${format.label} (XML) document, found an error at line ${at}${col ? `, column ${col}` : ""}: ${msg}`);
  }
  const doc = parserFor(format).parse(skeleton) as XmlNode;
  const rootName = Object.keys(doc)[0];
  if (rootName !== format.root) {
    throw new HotpotError("bad_file", `expected the root element <${format.root}> of a ${format.label} document, found <${rootName}>`);
  }
  const root = doc[rootName];
  return { root: typeof root === "object" && root !== null ? (root as XmlNode) : {}, bytes, bodies };
}

/** UTF-16 files (rare, but legal XML) are re-encoded so one byte scanner serves all. */
function toUtf8(bytes: Uint8Array): Uint8Array {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (!le && !(bytes[0] === 0xfe && bytes[1] === 0xff)) return bytes;
  return new TextEncoder().encode(new TextDecoder(le ? "utf-16le" : "utf-16be").decode(bytes));
}

function describeStart(bytes: Uint8Array, at: number): string {
  const head = bytes.subarray(at, at + 24);
  if (head.some((c) => c < 0x09 || (c > 0x0d && c < 0x20))) return "binary data";
  return JSON.stringify(utf8.decode(head) + (bytes.length > at + 24 ? "…" : ""));
}

/**
 * Replaces the content of every body element with its index. The name is found
 * with Buffer's native search; a hit counts when it is a whole tag name with an
 * optional namespace prefix (`<trkseg>`, `<gpx:trkseg ...>`, not `<trksegment>`).
 */
function cutBodies(bytes: Uint8Array, first: number, format: XmlFormat) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const name = format.body;
  const needle = Buffer.from(name); // a Buffer needle searches ~10x faster than a string one
  const pieces: string[] = [];
  const bodies: number[] = [];
  const placeholders: number[] = [];
  let skeletonLength = 0;
  let copied = first;
  let at = buf.indexOf(needle, first);
  while (at !== -1) {
    const after = bytes[at + name.length];
    const lt = tagStart(bytes, at);
    if (lt === -1 || !(after === GT || after === SLASH || isSpace(after))) {
      at = buf.indexOf(needle, at + name.length);
      continue;
    }
    const gt = bytes.indexOf(GT, at);
    if (gt === -1) break; // a tag cut off mid-way: the validator reports it
    if (bytes[gt - 1] === SLASH) {
      at = buf.indexOf(needle, gt);
      continue;
    }
    const close = findClose(buf, bytes, lt, at + name.length, gt + 1);
    if (close === -1) {
      throw new HotpotError("bad_file", `expected </${name}> closing the <${name}> opened at line ${lineAt(bytes, lt)}, found the end of the file (truncated?)`);
    }
    const piece = utf8.decode(bytes.subarray(copied, gt + 1));
    const index = String(bodies.length / 2);
    pieces.push(piece, index);
    skeletonLength += piece.length;
    placeholders.push(skeletonLength);
    skeletonLength += index.length;
    bodies.push(gt + 1, close);
    copied = close;
    at = buf.indexOf(needle, close + 2);
  }
  pieces.push(utf8.decode(bytes.subarray(copied)));
  return { skeleton: pieces.join(""), bodies, placeholders };
}

/** Index of the "<" opening the tag whose name ends in the hit at `at`, or -1 (closing tags too). */
function tagStart(bytes: Uint8Array, at: number): number {
  let i = at - 1;
  if (bytes[i] === COLON) {
    i--;
    while (i >= 0 && isNameByte(bytes[i])) i--;
  }
  return i >= 0 && bytes[i] === LT ? i : -1;
}

/** First closing tag of the element whose open tag's name is bytes[lt+1, nameEnd), at or after `from`, or -1. */
function findClose(buf: Buffer, bytes: Uint8Array, lt: number, nameEnd: number, from: number): number {
  const closeTag = Buffer.concat([Buffer.from("</"), bytes.subarray(lt + 1, nameEnd)]);
  let at = buf.indexOf(closeTag, from);
  while (at !== -1) {
    let i = at + closeTag.length;
    while (isSpace(bytes[i])) i++;
    if (bytes[i] === GT) return at;
    at = buf.indexOf(closeTag, at + closeTag.length);
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a, start); i !== -1 && i < end; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

const lineAt = (bytes: Uint8Array, offset: number) => countNewlines(bytes, 0, offset) + 1;

/** Maps a skeleton position back to the file's line by adding the newlines cut out before it. */
function originalLine(bytes: Uint8Array, first: number, skeleton: string, bodies: number[], placeholders: number[], line: number, col: number): number {
  let offset = 0;
  for (let l = 1; l < line && offset !== -1; l++) offset = skeleton.indexOf("\n", offset) + 1 || -1;
  offset += col - 1;
  let result = line + countNewlines(bytes, 0, first);
  for (let k = 0; k < placeholders.length && placeholders[k] <= offset; k++) {
    result += countNewlines(bytes, bodies[2 * k], bodies[2 * k + 1]);
  }
  return result;
}

/** Text of a parsed element (plain or with attributes), or undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as XmlNode)["#text"] === "string") {
    return (value as XmlNode)["#text"] as string;
  }
  return undefined;
}

/** Child elements as a list: arrays as they are, one element as [it], none as []. */
export function listOf(value: unknown): XmlNode[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" && v !== null ? v : { "#text": v }));
  if (value === undefined) return [];
  return [typeof value === "object" && value !== null ? (value as XmlNode) : { "#text": value }];
}

/** Byte range [start, end) of the body element `node` (its text is the index), or null when empty. */
export function bodyRange(doc: XmlDocument, node: unknown): [number, number] | null {
  const text = textOf(node);
  if (text === undefined || text === "") return null;
  const k = Number(text);
  return [doc.bodies[2 * k], doc.bodies[2 * k + 1]];
}
