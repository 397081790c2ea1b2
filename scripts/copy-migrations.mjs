// tsc compiles only TypeScript: the SQL migrations travel to dist/ beside the code that reads them.
import { cpSync } from 'node:fs';

cpSync(new URL('../core/db/migrations', import.meta.url), new URL('../dist/core/db/migrations', import.meta.url), { recursive: true });
