import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDepsToTmpStep, dependencyFiles } from '../../../../src/core/fit/placement/build-deps-to-tmp-step.js';
import { writeDependencyZip } from '../../../../src/core/fit/placement/stage-placement.js';
import { packageRoot } from '../../../../src/core/package-root.js';
import { materializePlan } from '../../../../src/core/plan/materialize-plan.js';
import { scanBundle } from '../../../../src/core/scan/scan-bundle.js';
import { planFor } from '../../plan/plan-for.js';

const fixture = join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule');
let work: string;
afterAll(() => rm(work, { recursive: true, force: true }));

// fit records the dependency zip's sha256 in the plan; export rebuilds the object from the input
// and refuses a different hash, so both must write byte-identical zips.
describe('the deps-to-tmp zip object', () => {
  it('is rebuilt byte for byte by export from the plan', async () => {
    work = await mkdtemp(join(tmpdir(), 'lf-depszip-'));
    const index = await scanBundle({ path: fixture, cacheDir: false });
    const deps = dependencyFiles(index.code.files);
    expect(deps.length).toBeGreaterThan(3);
    const zip = await writeDependencyZip(deps, (p) => join(fixture, p), join(work, 'deps.zip'));
    const step = buildDepsToTmpStep({ files: deps, zip, bucket: 'lambdafit-test', nodeOptions: undefined });
    const plan = await planFor(fixture, [step]);
    const built = await materializePlan({ inputPath: fixture, plan, config: {}, configDir: fixture, workDir: join(work, 'export'), cacheDir: false });
    expect(built.objects).toEqual([expect.objectContaining({ key: step.objects[0]!.key, bytes: zip.bytes, hash: zip.hash })]);
    expect(built.environment.NODE_OPTIONS).toBe('--require /var/task/lambdafit/deps-to-tmp.cjs');
  });
});
