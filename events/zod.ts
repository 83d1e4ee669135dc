import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini keeps every Lambda bundle small (tens of KB against 450 KB for classic zod,
// see bench/RESULTS.md); its messages need a locale, configured once here. Import this
// module as a namespace (`import * as z from '…/zod.ts'`) so bundlers can tree-shake it.
config(en());

export * from 'zod/mini';
