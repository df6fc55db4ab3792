/**
 * RFC 4180 CSV, as Salesforce Bulk API 2.0 writes its results: values
 * optionally in double quotes, a quote inside a quoted value doubled, LF or
 * CRLF line endings, line breaks allowed inside quoted values.
 */

/** Every line of `text` as its values; a trailing line ending adds no empty line. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new TypeError(`Expected a one-character CSV delimiter other than a quote or a line break, but got ${JSON.stringify(delimiter)}.`);
  }
  const lines: string[][] = [];
  let line: string[] = [];
  let value = '';
  let i = 0;
  const n = text.length;
  // `atStart` tells an empty last line (nothing after the final line ending) from a line holding one empty value.
  let atStart = true;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && value === '') {
      // A quoted value runs to the next quote that is not doubled.
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) throw new SyntaxError(`Unterminated quoted CSV value starting near character ${i} of ${n}.`);
        value += text.slice(i, close);
        if (text[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      atStart = false;
      continue;
    }
    if (ch === delimiter) {
      line.push(value);
      value = '';
      atStart = false;
      i++;
    } else if (ch === '\n' || ch === '\r') {
      line.push(value);
      lines.push(line);
      line = [];
      value = '';
      atStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      value += ch;
      atStart = false;
      i++;
    }
  }
  if (!atStart) {
    line.push(value);
    lines.push(line);
  }
  return lines;
}
