import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

// Each hostile archive is built by Python's zipfile/tarfile (an independent writer) and must give
// exit 2, one line on stderr without a stack trace, and no file written anywhere near it.
const BUILDERS: Record<string, string> = {
  'zip-slip.zip': `import zipfile\nwith zipfile.ZipFile(OUT, 'w') as z:\n    z.writestr('index.js', 'x')\n    z.writestr('../../evil.js', 'pwned')`,
  'absolute.zip': `import zipfile\nwith zipfile.ZipFile(OUT, 'w') as z:\n    z.writestr('/etc/evil.js', 'pwned')`,
  'symlink-escape.zip': `import zipfile, stat\nwith zipfile.ZipFile(OUT, 'w') as z:\n    i = zipfile.ZipInfo('link')\n    i.external_attr = (stat.S_IFLNK | 0o777) << 16\n    z.writestr(i, '../../../../etc/passwd')`,
  'bomb.zip': `import zipfile\nwith zipfile.ZipFile(OUT, 'w', zipfile.ZIP_DEFLATED) as z:\n    z.writestr('zeros.bin', b'\\0' * (300 * 1024 * 1024))`,
  'truncated.zip': `import zipfile, io\nb = io.BytesIO()\nwith zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:\n    z.writestr('index.js', 'exports.handler = 1;' * 500)\nopen(OUT, 'wb').write(b.getvalue()[:-40])`,
  'device.tar.gz': `import tarfile, io\nwith tarfile.open(OUT, 'w:gz') as t:\n    i = tarfile.TarInfo('dev/evil')\n    i.type = tarfile.CHRTYPE\n    i.devmajor, i.devminor = 1, 3\n    t.addfile(i)`,
};

describe('hostile archives (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-hostile-'));
    for (const [name, code] of Object.entries(BUILDERS)) {
      execFileSync('/usr/bin/python3', ['-c', `OUT = ${JSON.stringify(join(dir, name))}\n${code}`]);
    }
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  for (const name of Object.keys(BUILDERS)) {
    it(`${name}: one clear error, exit 2, nothing written`, async () => {
      const before = (await readdir(dir)).sort();
      const run = await runCli(['scan', join(dir, name), '--no-cache']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('scanning') && !l.startsWith('measuring'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect((await readdir(dir)).sort()).toEqual(before);
      const json = await runCli(['scan', join(dir, name), '--json', '--no-cache']);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout).error.code).toMatch(/^E_/);
    });
  }
});
