import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

// Real npm packages, pinned, chosen for file count (≥ 30,000 files in all): the kind of tree a
// Lambda bundle's node_modules becomes. Installed once from the npm registry with scripts off.
const CORPUS = [
  'date-fns@2.30.0',
  'rxjs@7.8.1',
  'lodash@4.17.21',
  'aws-sdk@2.1692.0',
  'core-js@3.38.1',
  '@babel/core@7.25.2',
  'typescript@5.6.2',
  '@mui/material@5.16.7',
  '@mui/icons-material@5.16.7',
  '@emotion/react@11.13.3',
  '@emotion/styled@11.13.0',
  'react@18.3.1',
  'react-dom@18.3.1',
];

/** Installs (once) and returns the path of the benchmark's node_modules corpus. */
export async function ensureBenchCorpus(dir: string, log: (msg: string) => void): Promise<string> {
  const modules = join(dir, 'node_modules');
  if (existsSync(join(dir, '.complete'))) return modules;
  log(`installing the benchmark corpus (${CORPUS.length} real npm packages) into ${dir}…`);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, 'package.json'), JSON.stringify({ name: 'lambdafit-bench-corpus', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...CORPUS], {
    cwd: tmp,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await writeFile(join(tmp, '.complete'), CORPUS.join('\n'));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return modules;
}
