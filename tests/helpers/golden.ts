/**
 * Golden files: what a test compares its output with, kept in the repository.
 * One switch regenerates all of them (tests/golden/*.png and the page manifest
 * src/server/page-files.ts): run the test with UPDATE_GOLDEN=1, then look at
 * the diff before committing it.
 */
import { join } from "node:path";

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === "1";

/** The golden images. */
export const GOLDEN_DIR = join(import.meta.dir, "../golden");
