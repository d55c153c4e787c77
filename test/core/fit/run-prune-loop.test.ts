import { describe, expect, it } from 'vitest';
import { orderPruneSteps } from '../../../src/core/fit/order-prune-steps.js';
import { runPruneLoop } from '../../../src/core/fit/run-prune-loop.js';
import type { StateMeasurement } from '../../../src/core/plan/fit-plan.js';
import { candidate } from './candidates.js';

/** A verifier standing in for the sandbox: the function breaks when a needed file is gone. */
function verifier(needed: string[]) {
  const calls: string[][] = [];
  const verify = async (removed: ReadonlySet<string>): Promise<StateMeasurement> => {
    calls.push([...removed].sort());
    const missing = needed.find((f) => removed.has(f));
    return {
      passed: !missing,
      initDurationMs: 100 - removed.size,
      coldDurationMs: 5,
      warmDurationMs: 1,
      maxMemoryUsedMB: 50,
      invocations: 3,
      mismatches: [],
      ...(missing ? { error: `Cannot find module ${missing}` } : {}),
    };
  };
  return { verify, calls };
}

describe('runPruneLoop', () => {
  const lib = Array.from({ length: 16 }, (_, i) => `node_modules/p/lib/f${String(i).padStart(2, '0')}.js`);
  const steps = orderPruneSteps(
    [candidate('docs', 'safe', ['README.md', 'CHANGELOG.md']), candidate('lib', 'safe', lib, 'wrong'), candidate('foreign', 'safe', ['darwin.node'], 'native-foreign'), candidate('maps', 'caution', ['a.js.map'])],
    'caution',
  );

  it('keeps passing steps whole, one verification each', async () => {
    const { verify, calls } = verifier([]);
    const r = await runPruneLoop(steps, verify);
    expect(calls).toHaveLength(3);
    expect(r.removed.size).toBe(2 + 16 + 1 + 1);
    expect(r.steps.every((s) => s.kind === 'prune')).toBe(true);
    expect(r.measurement?.initDurationMs).toBe(100 - 20);
  });

  it('bisects a breaking step by rule, then by file, and records the keep-rule', async () => {
    const needed = [lib[3]!, lib[11]!];
    const { verify } = verifier(needed);
    const r = await runPruneLoop(steps, verify);
    const keep = r.steps.filter((s) => s.kind === 'keep');
    expect(keep).toHaveLength(1);
    expect(keep[0]).toMatchObject({ ruleId: 'lib', ruleSet: 'wrong', files: needed });
    expect(keep[0]!.kind === 'keep' && keep[0]!.evidence.failure).toMatch(/Cannot find module/);
    // The rest of the step still goes: the other rule of the group whole, the rule's other files.
    const removed = [...r.removed];
    expect(removed).toContain('README.md');
    expect(removed).toContain('a.js.map');
    expect(removed.filter((f) => f.includes('/lib/'))).toHaveLength(14);
    for (const f of needed) expect(r.removed.has(f)).toBe(false);
    // The last passing measurement is that of the final state.
    expect(r.measurement?.passed).toBe(true);
    expect(r.measurement?.initDurationMs).toBe(100 - r.removed.size);
    expect(r.verifications).toBeLessThan(20);
  });

  it('reports each step', async () => {
    const seen: string[] = [];
    await runPruneLoop(steps, verifier([lib[0]!]).verify, { onStep: (o) => seen.push(`${o.step.label}:${o.firstAttempt.passed}:${o.keptFiles.length}`) });
    expect(seen).toEqual(['binaries for other platforms:true:0', 'safe rules:false:1', 'caution rules:true:0']);
  });
});
