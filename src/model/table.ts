/** Reference data from a file: a CSV with a header row, or a Parquet file. Cells
 * are kept as the file has them (text for CSV, numbers and text for Parquet);
 * deciding what a column is belongs to the registration. */
import { stat, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { MlmonError } from '../errors.js';

/** A missing value is null. */
export type Cell = string | number | null;

export interface Table {
  file: string;
  columns: string[];
  rowCount: number;
  /** Every cell of one column, in row order. */
  column(name: string): Cell[];
  /** Where row `i` (0-based, header excluded) is: `file:line` for CSV, `file: row n` for Parquet. */
  where(row: number): string;
  /** Where the column names are: the header line of a CSV, the schema of a Parquet file. */
  header: string;
}

/** Reference files larger than this are refused: a profile needs a sample, not the whole history. */
export const MAX_REFERENCE_BYTES = 512 * 1024 * 1024;

/** CSV spellings of a missing value (pandas writes NaN as an empty field). */
const MISSING_TEXT = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None']);

export async function readTable(file: string): Promise<Table> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw new MlmonError(
      'reference_unreadable',
      `cannot read the reference data: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        location: file,
      },
    );
  }
  if (size > MAX_REFERENCE_BYTES) {
    throw new MlmonError('reference_too_large', `the reference file has ${size} bytes, more than ${MAX_REFERENCE_BYTES}`, {
      location: file,
      hint: 'Register a representative sample of the training data (100,000 rows are plenty for the drift reference).',
    });
  }
  return extname(file).toLowerCase() === '.parquet' ? readParquet(file) : readCsv(file);
}

/** Pure: a table from CSV text. The first record is the header; every record must
 * have as many fields as the header (errors name file:line). */
export function parseCsvTable(text: string, file: string): Table {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { info: true, bom: true, skip_empty_lines: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = typeof e.lines === 'number' ? e.lines : undefined;
      const message = e.message.replace(/ (on|at) line \d+$/, '');
      throw new MlmonError('reference_csv', `malformed CSV: ${message}`, {
        location: line === undefined ? file : `${file}:${line}`,
        hint: 'Every row needs as many fields as the header; quote fields that contain commas or line breaks.',
      });
    }
    throw e;
  }
  const header = records[0];
  if (!header)
    throw new MlmonError('reference_empty', 'the file is empty: a header row and at least one data row are needed', {
      location: `${file}:1`,
    });
  const columns = header.record.map((c) => c.trim());
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c === '')
      throw new MlmonError('reference_csv', `column ${i + 1} of the header has no name`, { location: `${file}:${header.info.lines}` });
    if (seen.has(c))
      throw new MlmonError('reference_csv', `column "${c}" appears twice in the header`, { location: `${file}:${header.info.lines}` });
    seen.add(c);
  });
  const rows = records.slice(1);
  if (rows.length === 0) {
    throw new MlmonError('reference_empty', 'the file has a header but no data rows', { location: `${file}:${header.info.lines}` });
  }
  const index = new Map(columns.map((c, i) => [c, i]));
  return {
    file,
    columns,
    rowCount: rows.length,
    column(name) {
      const i = index.get(name);
      if (i === undefined) throw new RangeError(`no column ${name}`);
      return rows.map((r) => {
        const v = (r.record[i] as string).trim();
        return MISSING_TEXT.has(v) ? null : v;
      });
    },
    where: (row) => `${file}:${rows[row]?.info.lines ?? '?'}`,
    header: `${file}:${header.info.lines}`,
  };
}

async function readCsv(file: string): Promise<Table> {
  return parseCsvTable(await readFile(file, 'utf8'), file);
}

function parquetCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

async function readParquet(file: string): Promise<Table> {
  let objects: Record<string, unknown>[];
  let columns: string[];
  try {
    const buffer = await asyncBufferFromFile(file);
    objects = await parquetReadObjects({ file: buffer });
    columns = parquetSchema(await parquetMetadataAsync(buffer)).children.map((c) => c.element.name);
  } catch (e) {
    throw new MlmonError('reference_parquet', `not a readable Parquet file: ${(e as Error).message}`, { location: file });
  }
  if (objects.length === 0) throw new MlmonError('reference_empty', 'the Parquet file has no rows', { location: file });
  return {
    file,
    columns,
    rowCount: objects.length,
    column: (name) => objects.map((o) => parquetCell(o[name])),
    where: (row) => `${file}: row ${row + 1}`,
    header: file,
  };
}
