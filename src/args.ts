/** Parsers of argument values that the commands and the HTTP routes share. */
import { HotpotError } from "./errors.ts";

/** One of a fixed list of words; an error names `parameter` and the choices. */
export function parseChoice<T extends string>(choices: readonly T[], text: string, parameter: string): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new HotpotError("bad_argument", `${parameter}: expected one of ${choices.join(", ")}, found '${text.slice(0, 40)}'`);
}
