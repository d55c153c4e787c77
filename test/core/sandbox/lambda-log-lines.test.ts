import { describe, expect, it } from 'vitest';
import {
  billedDurationMs,
  formatEnd,
  formatInitReport,
  formatInitStart,
  formatReport,
  formatStart,
  formatTimeoutLine,
  logStreamName,
} from '../../../src/core/sandbox/lambda-log-lines.js';

describe('lambda log lines', () => {
  it('formats REPORT with AWS field order, two-decimal durations and a trailing tab', () => {
    const line = formatReport({
      requestId: 'abc',
      durationMs: 6597.857,
      billedDurationMs: 6598,
      memorySizeMB: 128,
      maxMemoryUsedMB: 65,
      initDurationMs: 813.641,
    });
    expect(line).toBe(
      'REPORT RequestId: abc\tDuration: 6597.86 ms\tBilled Duration: 6598 ms\tMemory Size: 128 MB\tMax Memory Used: 65 MB\tInit Duration: 813.64 ms\t',
    );
  });

  it('appends Status and Error Type after Init Duration on failures', () => {
    const oom = formatReport({ requestId: 'r', durationMs: 10, billedDurationMs: 10, memorySizeMB: 512, maxMemoryUsedMB: 512, status: 'error', errorType: 'Runtime.OutOfMemory' });
    expect(oom.endsWith('Max Memory Used: 512 MB\tStatus: error\tError Type: Runtime.OutOfMemory\t')).toBe(true);
    const timeout = formatReport({ requestId: 'r', durationMs: 3000, billedDurationMs: 3000, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 100, status: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(timeout.endsWith('Init Duration: 100.00 ms\tStatus: timeout\t')).toBe(true);
  });

  it('bills ⌈Duration + Init⌉ without floating-point drift', () => {
    expect(billedDurationMs(1513.37, 303.63)).toBe(1817);
    expect(billedDurationMs(6597.86)).toBe(6598);
    expect(billedDurationMs(2.0)).toBe(2);
    expect(billedDurationMs(0.2)).toBe(1);
  });

  it('formats INIT_REPORT, START, END, timeout and INIT_START lines', () => {
    expect(formatInitReport({ initDurationMs: 9999.789, phase: 'init', status: 'timeout' })).toBe('INIT_REPORT Init Duration: 9999.79 ms\tPhase: init\tStatus: timeout');
    expect(formatInitReport({ initDurationMs: 150.79, phase: 'invoke', status: 'error', errorType: 'Runtime.UserCodeSyntaxError' })).toBe(
      'INIT_REPORT Init Duration: 150.79 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.UserCodeSyntaxError',
    );
    expect(formatStart('id')).toBe('START RequestId: id Version: $LATEST');
    expect(formatEnd('id')).toBe('END RequestId: id');
    expect(formatTimeoutLine('id', 1, new Date('2025-01-02T03:04:05.678Z'))).toBe('2025-01-02T03:04:05.678Z id Task timed out after 1.00 seconds');
    expect(formatInitStart('python3.11', 'us-east-1', 'x')).toMatch(/^INIT_START Runtime Version: python:3\.11\.v0\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
    expect(formatInitStart('nodejs20.x', 'eu-west-1', 'x')).toContain('Runtime Version: nodejs:20.v0\t');
    expect(formatInitStart('provided.al2023', 'us-east-1', 'x')).toContain('Runtime Version: provided:al2023.v0\t');
  });

  it('names log streams like Lambda', () => {
    expect(logStreamName(new Date('2025-12-28T10:00:00Z'), 'f'.repeat(32))).toBe(`2025/12/28/[$LATEST]${'f'.repeat(32)}`);
  });
});
