import { afterAll, describe, expect, it } from 'vitest';
import { explainPermissionErrors } from '../../../src/core/sandbox/explain-permission-error.js';
import { makeBundle, removeBundles } from './sandbox-test-kit.js';

afterAll(removeBundles);

describe('explainPermissionErrors', () => {
  it('names the host file, its mode and the fix for EACCES in Node and Python messages', async () => {
    const dir = await makeBundle({ 'secret.json': { content: '{}', mode: 0o600 }, 'model/w.bin': { content: 'x', mode: 0o640 }, 'ok.txt': 'fine' });
    const hints = await explainPermissionErrors(
      ["Error: EACCES: permission denied, open '/var/task/secret.json'", "PermissionError: [Errno 13] Permission denied: '/var/task/model/w.bin'", "EACCES: permission denied, open '/var/task/ok.txt'"],
      { taskRoot: dir, layers: [] },
    );
    expect(hints).toEqual([
      `/var/task/secret.json (${dir}/secret.json) is not readable by the Lambda user (mode 0600); Lambda needs 0644 for files: chmod 644 ${dir}/secret.json.`,
      `/var/task/model/w.bin (${dir}/model/w.bin) is not readable by the Lambda user (mode 0640); Lambda needs 0644 for files: chmod 644 ${dir}/model/w.bin.`,
    ]);
  });

  it('finds /opt files in the last layer that has them, and explains read-only paths', async () => {
    const layer = await makeBundle({ 'python/lib.so': { content: 'x', mode: 0o600 } });
    const hints = await explainPermissionErrors(["[Errno 13] Permission denied: '/opt/python/lib.so'", "OSError: [Errno 30] Read-only file system: '/var/task/cache'"], { taskRoot: '/nowhere', layers: [layer] });
    expect(hints[0]).toContain(`(${layer}/python/lib.so) is not readable by the Lambda user (mode 0600)`);
    expect(hints[1]).toBe('/var/task/cache is on a read-only file system: on Lambda only /tmp is writable; write there instead.');
  });
});
