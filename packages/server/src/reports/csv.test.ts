import { describe, expect, it } from 'vitest';
import { BOM, csvCell, toCsv } from './csv.js';
import { parseCsv } from '../test/reportsWorld.js';

describe('CSV cells (RFC 4180)', () => {
  it.each([
    ['plain', 'Lena Fischer', 'Lena Fischer'],
    ['a comma', 'Okafor, Daniel', '"Okafor, Daniel"'],
    ['quotes, doubled', 'the "boss"', '"the ""boss"""'],
    ['a line feed', 'a\nb', '"a\nb"'],
    ['Chinese and Arabic as they are', '李雷 محمد', '李雷 محمد'],
    ['empty', '', ''],
  ])('%s', (_, value, cell) => expect(csvCell(value)).toBe(cell));

  it('null and undefined are empty cells; numbers and booleans are written as such', () => {
    expect([csvCell(null), csvCell(undefined), csvCell(42), csvCell(-1), csvCell(true)]).toEqual([
      '',
      '',
      '42',
      '-1',
      'true',
    ]);
  });

  it.each([
    ['=', '=1+1', "'=1+1"],
    ['+', '+1 555 0100', "'+1 555 0100"],
    ['-', '-2+3', "'-2+3"],
    ['@', '@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['tab (then quoted)', '\t=1', `"'\t=1"`],
    ['CR (then quoted)', '\r=1', `"'\r=1"`],
    ['= with quotes and a comma', '=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
  ])('a text cell starting with %s gets a leading apostrophe', (_, value, cell) => expect(csvCell(value)).toBe(cell));

  it('a formula character later in the text is left alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
  });

  it.each([
    ['a semicolon (the list separator in German or French Excel)', "Laptop;=cmd|' /C calc'!A0", `"Laptop;=cmd|' /C calc'!A0"`],
    ['a tab (the separator of pasted text)', 'Laptop\t=1+1', '"Laptop\t=1+1"'],
  ])('a cell holding %s is quoted, so that no separator can start a formula cell', (_, value, cell) =>
    expect(csvCell(value)).toBe(cell),
  );
});

describe('CSV files', () => {
  it('start with the BOM, end every line with CRLF, and read back to the same values', () => {
    const header = ['Name', 'Note'];
    const rows = [
      ['李雷', 'says "hi", twice\nand leaves'],
      ['=cmd', null],
    ];
    const text = toCsv(header, rows);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(4);
    expect(parseCsv(text.slice(1))).toEqual([header, ['李雷', 'says "hi", twice\nand leaves'], ["'=cmd", '']]);
  });

  it('is the header row alone when there are no rows', () => {
    expect(toCsv(['A', 'B'], [])).toBe(`${BOM}A,B\r\n`);
  });
});
