/**
 * @module reports/csv
 * CSV for spreadsheet programs: RFC 4180 (CRLF line ends; a field holding `"`, `,`, CR or LF
 * is quoted with its quotes doubled; so is one holding `;` or a tab, which Excel takes as the
 * separator where the list separator is `;` (German, French…) or when a file is pasted: unquoted,
 * `Laptop;=WEBSERVICE(…)` would split there and start a cell with `=`), UTF-8 with a byte-order mark so Excel reads Chinese or
 * Arabic names as such, and formula injection neutralised: a cell starting with `=`, `+`, `-`,
 * `@`, tab or CR would run as a formula in Excel, LibreOffice or Google Sheets, so it gets a
 * leading apostrophe and is shown as the text it is.
 */

/** The UTF-8 byte-order mark. */
export const BOM = '\uFEFF';

/** A cell value; null and undefined are empty cells. */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\t\r\n]/;

/** One cell as it goes into the file. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  // Numbers and booleans are ours (counts, durations), never text someone typed: no apostrophe for -1.
  let text = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: the byte-order mark, the header row, then one row per record, each line ending in CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
