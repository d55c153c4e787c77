import { afterAll, describe, expect, it } from 'vitest';
import { fixture, json, kernelIsolation, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
if (!kernel) console.warn('sandbox-init: kernel isolation unavailable here; running in portable mode.');
const isolation = { isolation: kernel ? ('kernel' as const) : ('portable' as const) };
afterAll(removeBundles);

describe('the init phase', () => {
  it('caps on-demand init at 10 s, then re-runs it inside the first invocation under the function timeout', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 1769, timeout: 30, environment: { PROBE_INIT_SLEEP_MS: '12000' } }, isolation);
    try {
      const r = await sb.invoke('{"action":"echo","value":1}');
      const initReports = r.logs.filter((l) => l.startsWith('INIT_REPORT'));
      expect(initReports).toHaveLength(1);
      expect(initReports[0]).toMatch(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/);
      expect(r.status).toBe('success');
      expect(r.cold).toBe(true);
      // The re-run init is part of the invocation: no Init Duration in REPORT, and Duration covers it.
      expect(r.initDurationMs).toBeNull();
      expect(r.logs.at(-1)).not.toContain('Init Duration');
      const { environmentId } = json<{ environmentId: string }>(r.response);
      const warm = await sb.invoke('{"action":"echo","value":2}');
      expect(warm.cold).toBe(false);
      expect(json<{ environmentId: string }>(warm.response).environmentId).toBe(environmentId);
    } finally {
      await sb.close();
    }
  });

  it('times the invocation out when the re-run init outlasts the function timeout', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 1769, timeout: 3, environment: { PROBE_INIT_SLEEP_MS: '12000' } }, isolation);
    try {
      const r = await sb.invoke('{"action":"echo","value":1}');
      expect(r.status).toBe('timeout');
      expect(r.errorType).toBe('Sandbox.Timedout');
      expect(r.response).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 3.00 seconds` });
      expect(r.logs.filter((l) => l.startsWith('INIT_REPORT')).map((l) => l.split('\t').slice(1).join(' '))).toEqual(['Phase: init Status: timeout', 'Phase: invoke Status: timeout']);
    } finally {
      await sb.close();
    }
  });

  it('reports a missing or unrunnable custom runtime bootstrap as Runtime.InvalidEntrypoint', async () => {
    const missing = await makeBundle({ 'handler.sh': 'echo hi' });
    const notExecutable = await makeBundle({ bootstrap: { content: '#!/bin/sh\necho hi\n', mode: 0o644 } });
    const crlf = await makeBundle({ bootstrap: { content: '#!/bin/sh\r\necho hi\r\n', mode: 0o755 } });
    const expectations: [string, RegExp, RegExp][] = [
      [missing, /Couldn't find valid bootstrap\(s\): \[\/var\/task\/bootstrap \/opt\/bootstrap\]/, /needs an executable file named bootstrap/],
      [notExecutable, /fork\/exec \/var\/task\/bootstrap: permission denied/, /mode 0644.*chmod 755/],
      [crlf, /fork\/exec \/var\/task\/bootstrap: no such file or directory/, /Windows line endings/],
    ];
    for (const [dir, message, hint] of expectations) {
      const sb = await openSandbox(dir, { runtime: 'provided.al2023' }, isolation);
      try {
        const r = await sb.invoke('{}');
        expect(r.errorType).toBe('Runtime.InvalidEntrypoint');
        expect(json<{ errorMessage: string }>(r.response).errorMessage).toMatch(message);
        expect(r.hints.join(' ')).toMatch(hint);
      } finally {
        await sb.close();
      }
    }
  });
});
