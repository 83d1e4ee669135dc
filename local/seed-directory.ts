import demoDirectory from '../config/directory.json' with { type: 'json' };
import { type Directory, parseDirectory } from '../functions/aggregates/directory.ts';

/**
 * The seed directory: CEPTOAR_DIRECTORY (JSON) when set, else the demo directory in
 * config/directory.json. Only the local stack's start appends it, to streams that are missing;
 * it lives here so that no Lambda bundle carries the demo document.
 */
export const seedDirectory = (): Directory =>
  parseDirectory(JSON.parse(process.env.CEPTOAR_DIRECTORY || 'null') ?? demoDirectory);
