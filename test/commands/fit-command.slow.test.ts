import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/commands/fit-command.js';
import { UsageError } from '../../src/core/errors.js';
import { validateFitPlan } from '../../src/core/plan/fit-plan-schema.js';
import { packageRoot } from '../../src/core/package-root.js';
import { captureIo } from '../helpers/capture-io.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-fitcmd-'));
  cpSync(join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule'), join(dir, 'bundle'), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = () => captureIo(dir);

describe('lambdafit fit', () => {
  it('prints the plan and the measured alternatives, writes --out atomically, exits 0', async () => {
    const s = io();
    const code = await fitCommand.run(['bundle', '--out', 'plan.json', '--max-risk', 'safe'], s);
    expect(code).toBe(0);
    expect(s.out()).toMatch(/^FITS zip-s3: /);
    expect(s.out()).toMatch(/keep {6}fixture-breaking\/lib-folders broke the function/);
    expect(s.out()).toMatch(/Measured alternatives/);
    expect(s.out()).toMatch(/unmodified bundle .* ms/);
    expect(s.err()).toMatch(/Baseline: init/);
    const plan = validateFitPlan(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')), 'plan.json');
    expect(plan.steps.some((x) => x.kind === 'keep')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 180_000);

  it('--json prints exactly the plan on stdout', async () => {
    const s = io();
    const code = await fitCommand.run(['bundle', '--json', '--max-risk', 'safe', '--target', 'zip-direct'], s);
    expect(code).toBe(0);
    const plan = validateFitPlan(JSON.parse(s.out()), 'stdout');
    expect(plan.target).toBe('zip-direct');
    expect(plan.alternatives.length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('rejects a bad --max-risk', async () => {
    await expect(fitCommand.run(['bundle', '--max-risk', 'yolo'], io())).rejects.toThrow(UsageError);
  });
});
