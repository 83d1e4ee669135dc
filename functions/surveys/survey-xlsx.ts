import ExcelJS from 'exceljs';
import type { Table } from '../../events/survey/export.ts';

/**
 * The results tables as an XLSX workbook, one sheet per table, written by exceljs (a maintained
 * library, not hand-made XML). Values are written as values: a member's text that looks like a
 * formula stays text. The first row is the heading, bold and frozen.
 */
export async function tablesXlsx(
  tables: readonly Table[],
  meta: { title: string; tlp: string },
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'ceptoar-relay';
  workbook.title = meta.title;
  workbook.subject = `TLP:${meta.tlp}`;
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow([...table.headings]).font = { bold: true };
    for (const row of table.rows) sheet.addRow([...row]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
