// exceljs's streaming workbook writer on its own: the package's entry point also loads the
// in-memory workbook and the readers, which the exports never use (about 100 ms more to load).
// Typed as the package types the same class.
declare module 'exceljs/lib/stream/xlsx/workbook-writer.js' {
  import type { stream } from 'exceljs';

  const WorkbookWriter: typeof stream.xlsx.WorkbookWriter;
  export default WorkbookWriter;
}
