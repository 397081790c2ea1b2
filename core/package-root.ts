// Where this package's files are, whether running from core/ (tests) or from
// dist/core/ (the built CLI): the folder of our package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function find(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'trapperkeeper-desktop') return { root: dir, version: pkg.version ?? '0.0.0' };
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the trapperkeeper-desktop package.json above ' + fileURLToPath(import.meta.url));
}

const found = find();
export const PACKAGE_ROOT: string = found.root;
export const PACKAGE_VERSION: string = found.version;
