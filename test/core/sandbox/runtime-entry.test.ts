import { afterAll, describe, expect, it } from 'vitest';
import { resolveRuntimeEntry, runtimeFamily } from '../../../src/core/sandbox/runtime-entry.js';
import { makeBundle, removeBundles } from './sandbox-test-kit.js';

afterAll(removeBundles);

describe('resolveRuntimeEntry', () => {
  it("starts managed runtimes from lambdafit's bootstrap at /var/runtime", async () => {
    const entry = await resolveRuntimeEntry('nodejs20.x', '/b', [], 'others');
    expect(entry).toMatchObject({ family: 'node', entry: '/var/runtime/bootstrap' });
    expect(runtimeFamily('python3.12')).toBe('python');
  });

  it('prefers /var/task/bootstrap, then the last layer that has one', async () => {
    const bundle = await makeBundle({ 'x.txt': '' });
    const first = await makeBundle({ bootstrap: { content: '#!/bin/sh\n', mode: 0o755 } });
    const second = await makeBundle({ bootstrap: { content: '#!/bin/sh\n', mode: 0o755 } });
    const fromLayer = await resolveRuntimeEntry('provided.al2023', bundle, [first, second], 'others');
    expect(fromLayer).toMatchObject({ entry: '/opt/bootstrap', entryHost: `${second}/bootstrap` });
    const own = await makeBundle({ bootstrap: { content: '#!/bin/sh\n', mode: 0o755 } });
    expect(await resolveRuntimeEntry('provided.al2', own, [first], 'others')).toMatchObject({ entry: '/var/task/bootstrap' });
  });

  it('fails like Lambda for a bootstrap others cannot execute (0744), but not when running as the owner', async () => {
    const dir = await makeBundle({ bootstrap: { content: '#!/bin/sh\n', mode: 0o744 } });
    expect(await resolveRuntimeEntry('provided.al2023', dir, [], 'others')).toMatchObject({ errorType: 'Runtime.InvalidEntrypoint', message: 'fork/exec /var/task/bootstrap: permission denied' });
    expect(await resolveRuntimeEntry('provided.al2023', dir, [], 'self')).toMatchObject({ entry: '/var/task/bootstrap' });
  });
});
