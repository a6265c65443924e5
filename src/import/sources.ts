/**
 * What `hotpot import PATH` reads: one file, a folder walked recursively, or a
 * .zip archive. Each yields a list of items named by their path relative to
 * the root (the name the CSV join uses), and the root's activities.csv if any.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { CLI_MAX_FILE_BYTES } from "../decompress.ts";
import { HotpotError } from "../errors.ts";
import { ZipArchive, inflateEntry, type ZipEntry } from "./zip.ts";

/** The CSV that a folder or archive carries at its root is joined without being asked. */
export const ROOT_CSV = "activities.csv";

export interface SourceItem {
  /** Path relative to the source root, `/`-separated: the CSV join's key and the name shown to the user. */
  rel: string;
  /** Where a worker reads the file itself (folders and single files). */
  path?: string;
  /** Where the main thread reads it from the archive. */
  entry?: ZipEntry;
}

export interface Source {
  kind: "file" | "folder" | "zip";
  /** Absolute path items are relative to: the folder, the archive, or a single file's folder. */
  root: string;
  items: SourceItem[];
  /** Text of the root's activities.csv, if present. */
  rootCsv: string | null;
  /** The archive, for reading entries; null for folders and single files. */
  zip: ZipArchive | null;
}

/**
 * Files that are never activities and would only clutter the summary: hidden
 * files (.DS_Store), and the `__MACOSX/` resource forks macOS puts into zips
 * (their `._ride.gpx` would otherwise fail to parse).
 */
function ignored(rel: string): boolean {
  return rel.startsWith("__MACOSX/") || rel.split("/").some((part) => part.startsWith("."));
}

function walk(dir: string, root: string, out: SourceItem[]): void {
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, dirent.name);
    const rel = relative(root, path).replaceAll("\\", "/");
    if (ignored(rel)) continue;
    // Symlinks are followed once: statSync tells what they point at.
    const isDir = dirent.isDirectory() || (dirent.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory());
    if (isDir) walk(path, root, out);
    else out.push({ rel, path });
  }
}

const byName = (a: SourceItem, b: SourceItem) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/** Lists what PATH holds. Throws HotpotError("not_found") for a path that does not exist. */
export function openSource(path: string): Source {
  const root = resolve(path);
  const stat = statSync(root, { throwIfNoEntry: false });
  if (!stat) throw new HotpotError("not_found", `${path} does not exist (expected an activity file, a folder or a .zip archive)`);
  if (stat.isDirectory()) {
    const items: SourceItem[] = [];
    walk(root, root, items);
    items.sort(byName);
    const csv = items.find((i) => i.rel === ROOT_CSV);
    return {
      root,
      kind: "folder",
      items: items.filter((i) => i !== csv),
      rootCsv: csv ? readFileSync(csv.path!, "utf8") : null,
      zip: null,
    };
  }
  if (root.toLowerCase().endsWith(".zip")) {
    const zip = new ZipArchive(root);
    const items = zip.entries.filter((e) => !ignored(e.name)).map((entry): SourceItem => ({ rel: entry.name.replace(/^\/+/, ""), entry }));
    items.sort(byName);
    const csv = items.find((i) => i.rel === ROOT_CSV);
    let rootCsv: string | null = null;
    try {
      if (csv) rootCsv = new TextDecoder().decode(inflateEntry(csv.entry!.method, zip.readRaw(csv.entry!), csv.entry!.size, CLI_MAX_FILE_BYTES));
    } catch (e) {
      zip.close();
      throw new HotpotError("bad_file", `${path}:${ROOT_CSV}: ${(e as Error).message}`);
    }
    return { root, kind: "zip", items: items.filter((i) => i !== csv), rootCsv, zip };
  }
  return { root: dirname(root), kind: "file", items: [{ rel: basename(root), path: root }], rootCsv: null, zip: null };
}
