/**
 * One CSV cell, safe to open in a spreadsheet: a value that a spreadsheet
 * would read as a formula (starting with =, +, -, @, tab or carriage return)
 * gets a leading apostrophe, and every cell is quoted with quotes doubled.
 */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
