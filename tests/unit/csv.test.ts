import { describe, expect, test } from "bun:test";
import { detectDelimiter, parseCsv } from "../../src/import/csv.ts";
import { HotpotError } from "../../src/errors.ts";

describe("parseCsv", () => {
  const cases: [string, string, string[][]][] = [
    ["plain rows", "a,b,c\n1,2,3\n", [["a", "b", "c"], ["1", "2", "3"]]],
    ["no final newline", "a,b\n1,2", [["a", "b"], ["1", "2"]]],
    ["CRLF", "a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]],
    ["lone CR", "a,b\r1,2\r", [["a", "b"], ["1", "2"]]],
    ["BOM dropped", "\ufeffa,b\n1,2\n", [["a", "b"], ["1", "2"]]],
    ["quoted comma", 'a,b\n"x, y",2\n', [["a", "b"], ["x, y", "2"]]],
    ["doubled quotes", 'a\n"say ""hi"""\n', [["a"], ['say "hi"']]],
    ["newline inside quotes", 'a,b\n"line 1\nline 2",2\n', [["a", "b"], ["line 1\nline 2", "2"]]],
    ["CRLF inside quotes kept", 'a\n"x\r\ny"\r\n', [["a"], ["x\r\ny"]]],
    ["empty fields", "a,b,c\n,,\n", [["a", "b", "c"], ["", "", ""]]],
    ["blank lines dropped", "a\n\n1\n\n", [["a"], ["1"]]],
    ["empty quoted field", 'a,b\n"",x\n', [["a", "b"], ["", "x"]]],
    ["text after closing quote kept", 'a\n"x"y\n', [["a"], ["xy"]]],
    ["semicolon delimiter", "a;b\n1,5;2\n", [["a", "b"], ["1,5", "2"]]],
    ["tab delimiter", "a\tb\n1\t2\n", [["a", "b"], ["1", "2"]]],
    ["empty text", "", []],
  ];
  test.each(cases)("%s", (_, text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  test("unterminated quote names the file and line", () => {
    expect(() => parseCsv('a,b\n1,2\n"open,3\n', "x.csv")).toThrow(new HotpotError("bad_file", "x.csv: line 3: quoted field never closed (expected a closing '\"')"));
  });
});

describe("detectDelimiter", () => {
  test.each([
    ["a,b,c", ","],
    ["a;b;c", ";"],
    ["a\tb", "\t"],
    ['"x;y;z",b,c', ","],
    ["single", ","],
    ["a;b\nc,d,e,f,g", ";"],
  ])("%j → %j", (text, delimiter) => {
    expect(detectDelimiter(text)).toBe(delimiter);
  });
});
