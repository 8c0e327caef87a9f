/**
 * CSV and XLSX exports of exactly the tables a page shows, from the same view: suppressed cells
 * keep their "<5" or "x", and the header says which organisation, filters and time it was made for.
 */
import ExcelJS from 'exceljs';
import { formatDateTime } from '../i18n/dates.js';
import type { Translate } from '../i18n/i18n.js';
import type { StatisticsView } from './view.js';

type ExportCell = string | number;

export interface ExportRow {
  cells: ExportCell[];
  kind: 'title' | 'meta' | 'table_title' | 'header' | 'row' | 'total' | 'note' | 'blank';
}

/** The exported sheet as rows: the header block, then each table and the indicators. */
export function exportRows(view: StatisticsView, t: Translate): ExportRow[] {
  const rows: ExportRow[] = [
    { kind: 'title', cells: [t('stats.export.title')] },
    { kind: 'meta', cells: [t('stats.export.organisation'), view.orgName] },
    { kind: 'meta', cells: [t('stats.filter.period'), view.periodLabel] },
    { kind: 'meta', cells: [t('stats.filter.level'), view.levelLabel] },
    { kind: 'meta', cells: [t('stats.filter.group'), view.groupLabel] },
    { kind: 'meta', cells: [t('stats.export.generated_at'), formatDateTime(view.generatedAt)] },
    { kind: 'meta', cells: [t('stats.export.legend'), t('stats.legend', { threshold: view.threshold, max: view.threshold - 1 })] },
    { kind: 'blank', cells: [] },
  ];
  for (const table of view.tables) {
    rows.push({ kind: 'table_title', cells: [table.title] });
    if (table.notMonthly) {
      rows.push({ kind: 'note', cells: [t('stats.not_monthly')] });
    } else if (table.withheld) {
      rows.push({ kind: 'note', cells: [t('stats.withheld', { threshold: view.threshold })] });
    } else {
      rows.push({ kind: 'header', cells: [table.rowHeader, ...table.columns] });
      for (const row of table.rows) {
        rows.push({ kind: row.total ? 'total' : 'row', cells: [row.label, ...row.cells.map((cell) => (cell.display === 'count' ? (cell.value ?? 0) : cell.text))] });
      }
    }
    if (table.note) rows.push({ kind: 'note', cells: [table.note] });
    rows.push({ kind: 'blank', cells: [] });
  }
  rows.push({ kind: 'table_title', cells: [t('stats.indicators')] });
  rows.push({ kind: 'header', cells: [t('stats.indicator.column'), t('stats.indicator.value')] });
  for (const indicator of view.indicators) rows.push({ kind: 'row', cells: [indicator.labelText, indicator.text] });
  return rows;
}

function csvField(cell: ExportCell): string {
  const text = String(cell);
  // Quoted, and a leading = + - @ neutralised, so a spreadsheet never runs a cell as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof cell === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; CRLF line ends (RFC 4180). */
export function toCsv(rows: readonly ExportRow[]): string {
  return `\uFEFF${rows.map((row) => row.cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export async function toXlsx(rows: readonly ExportRow[], sheetName: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'BVTE';
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.getColumn(1).width = 60;
  for (let i = 2; i <= 6; i += 1) sheet.getColumn(i).width = 14;
  for (const row of rows) {
    const added = sheet.addRow(row.cells);
    if (row.kind === 'title') added.font = { bold: true, size: 14 };
    if (row.kind === 'table_title' || row.kind === 'header' || row.kind === 'total') added.font = { bold: true };
    if (row.kind === 'note') added.font = { italic: true };
    // Suppressed cells are text ("<5", "x"); counts stay numbers, right-aligned like them.
    added.eachCell((cell, column) => {
      if (column > 1 && (row.kind === 'row' || row.kind === 'total')) cell.alignment = { horizontal: 'right' };
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
