import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { decideVerdict, summarizeChecks, type CheckItem, type CheckReport } from '../../src/core/check/check-report.js';
import { escapeCommandData, escapeCommandProperty, formatCheckAnnotations } from '../../src/commands/format-check-annotations.js';
import { formatCheckJunit } from '../../src/commands/format-check-junit.js';
import { formatCheckSummary } from '../../src/commands/format-check-summary.js';

function report(checks: CheckItem[]): CheckReport {
  return {
    ...decideVerdict(checks),
    bundle: '/ws/fn',
    target: 'zip-s3',
    arch: 'x86_64',
    plan: null,
    ruleSets: [],
    before: { files: 1, unzippedBytes: 1, zippedBytes: 1, fits: true },
    after: { files: 1, unzippedBytes: 1, zippedBytes: 1 },
    limits: [],
    applied: [],
    removed: [],
    skipped: [],
    checks,
    summary: summarizeChecks(checks),
    verification: { status: 'failed', reason: 'x', cached: false, events: [], comparedWithGolden: false },
  };
}

const nasty: CheckItem = {
  id: 'verification',
  name: 'works, <really> & "truly"',
  category: 'verification',
  status: 'fail',
  message: '100% broken: a,b\r\nsecond line',
  file: '/ws/events/a,b:c.json',
  details: ['$.x: expected "<1>", got \'2\''],
};

describe('check reporters', () => {
  it('escapes workflow commands by GitHub’s rules', () => {
    expect(escapeCommandData('100% a:b,c\r\nd')).toBe('100%25 a:b,c%0D%0Ad');
    expect(escapeCommandProperty('100% a:b,c\r\nd')).toBe('100%25 a%3Ab%2Cc%0D%0Ad');
    const out = formatCheckAnnotations(report([nasty, { ...nasty, id: 'limit:x', category: 'limit', status: 'pass' }]), '/ws');
    expect(out.split('\n').filter(Boolean)).toEqual([
      `::error file=events/a%2Cb%3Ac.json,title=lambdafit check%3A works, <really> & "truly"::100%25 broken: a,b%0D%0Asecond line%0A$.x: expected "<1>", got '2'`.replace('works, <really>', 'works%2C <really>'),
    ]);
    // A file outside the workspace keeps its absolute path; nothing is printed when all pass.
    expect(formatCheckAnnotations(report([{ ...nasty, file: '/elsewhere/e.json' }]), '/ws')).toContain('file=/elsewhere/e.json,');
    expect(formatCheckAnnotations(report([{ ...nasty, status: 'pass' }]), '/ws')).toBe('');
  });

  it('writes JUnit XML that an XML parser reads back with every check', () => {
    const checks: CheckItem[] = [
      nasty,
      { id: 'budget:coldStartMs', name: 'cold start budget', category: 'budget', status: 'skip', message: 'Not measured: --no-verify.', budget: 100, measured: null },
      { id: 'limit:zipped-size', name: 'zip < 50 MB', category: 'limit', status: 'pass', message: 'ok' },
    ];
    const xml = formatCheckJunit(report(checks));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, isArray: (n) => n === 'testcase' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ tests: '3', failures: '1', skipped: '1', errors: '0' });
    const [fail, skip, pass] = suite.testcase;
    expect(fail.name).toBe('works, <really> & "truly"');
    expect(fail.failure.message).toBe('100% broken: a,b\r\nsecond line');
    expect(fail.failure.type).toBe('VerificationFailed');
    expect(fail.failure['#text']).toContain(`$.x: expected "<1>", got '2'`);
    expect(fail.file).toBe('/ws/events/a,b:c.json');
    expect(skip.skipped.message).toBe('Not measured: --no-verify.');
    expect(pass.failure).toBeUndefined();
    expect(pass.classname).toBe('lambdafit.check.limit');
  });

  it('keeps Markdown table rows whole in the step summary', () => {
    const md = formatCheckSummary(report([{ ...nasty, message: 'a | b\nc' }]), '/ws');
    const row = md.split('\n').find((l) => l.startsWith('| ❌'))!;
    expect(row).toContain('a \\| b<br>c');
    expect(md).toContain('❌ verification failed (`fn` → zip-s3)');
  });
});
