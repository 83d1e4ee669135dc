// Bundled by test/lazy-module.unit.test.ts with the house options, beside its lazy module, and run away from
// node_modules: the bundle's importLazy must find survey-xlsx.mjs beside it and write a real workbook.
import { importLazy } from '../../functions/runtime/lazy-module.ts';

const { tablesXlsx } =
  await importLazy<typeof import('../../functions/surveys/survey-xlsx.ts')>('survey-xlsx');
const xlsx = await tablesXlsx([{ name: 'questions', headings: ['設問'], rows: [['回答']] }], {
  title: 'probe',
  tlp: 'GREEN',
});
console.log(JSON.stringify({ zip: xlsx.subarray(0, 2).toString('latin1'), bytes: xlsx.length }));
