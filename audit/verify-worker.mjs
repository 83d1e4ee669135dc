// A worker thread starts without the CLI's TypeScript loader: register tsx, then run the
// TypeScript worker (audit/verify-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
