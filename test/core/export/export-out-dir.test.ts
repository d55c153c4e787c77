import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { prepareExportOutDir } from '../../../src/core/export/export-out-dir.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-outdir-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A pid that cannot be running: above Linux's pid_max ceiling (2^22).
const DEAD_PID = 4_194_305;

describe('prepareExportOutDir', () => {
  it('publishes only on commit, and discard leaves nothing behind', async () => {
    const out = join(dir, 'a');
    const d = await prepareExportOutDir(out);
    writeFileSync(join(d.stagingDir, 'f'), 'x');
    expect(existsSync(out)).toBe(false);
    await d.commit();
    expect(readFileSync(join(out, 'f'), 'utf8')).toBe('x');
    const again = await prepareExportOutDir(out, { force: true });
    writeFileSync(join(again.stagingDir, 'g'), 'y');
    await again.discard();
    expect(readdirSync(out)).toEqual(['f']);
    expect(readdirSync(dir).filter((n) => n.startsWith('.a.'))).toEqual([]);
  });

  it('refuses an existing folder without force', async () => {
    const out = join(dir, 'b');
    mkdirSync(out);
    const err = await prepareExportOutDir(out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/--force/);
  });

  it('removes a dead export\'s temp folder and puts back an --out it had moved aside', async () => {
    const out = join(dir, 'c');
    // A --force swap killed between its two renames: out is gone, the previous one is aside.
    const stale = join(dir, `.c.lambdafit-export-${DEAD_PID}-deadbeef`);
    mkdirSync(join(stale, 'previous'), { recursive: true });
    mkdirSync(join(stale, 'out'));
    writeFileSync(join(stale, 'previous', 'old'), 'the last good export');
    // A live process's folder is left alone.
    const live = join(dir, `.c.lambdafit-export-${process.ppid}-cafef00d`);
    mkdirSync(live);
    const d = await prepareExportOutDir(out, { force: true });
    expect(readFileSync(join(out, 'old'), 'utf8')).toBe('the last good export');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    await d.discard();
  });
});
