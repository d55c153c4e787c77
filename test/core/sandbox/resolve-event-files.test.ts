import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { resolveEventFiles } from '../../../src/core/sandbox/resolve-event-files.js';
import { makeBundle, removeBundles } from './sandbox-test-kit.js';

afterAll(removeBundles);

describe('resolveEventFiles', () => {
  it('uses --event files in order, else the config globs sorted, else {}', async () => {
    const dir = await makeBundle({ 'events/b.json': '{"n":2}', 'events/a.json': '{"n":1}', 'events/notes.txt': 'x', 'one.json': '{"n":0}' });
    const explicit = await resolveEventFiles(['one.json', 'events/b.json'], ['events/*.json'], dir, dir);
    expect(explicit.map((e) => e.payload.toString())).toEqual(['{"n":0}', '{"n":2}']);
    const globbed = await resolveEventFiles([], ['events/*.json'], dir, '/');
    expect(globbed.map((e) => e.name)).toEqual([`${dir}/events/a.json`, `${dir}/events/b.json`]);
    expect(await resolveEventFiles([], [], dir, dir)).toEqual([{ name: '(empty event)', payload: Buffer.from('{}') }]);
  });

  it('rejects events that are not JSON or globs that match nothing', async () => {
    const dir = await makeBundle({ 'bad.json': '{nope' });
    await expect(resolveEventFiles(['bad.json'], [], dir, dir)).rejects.toThrow(/is not valid JSON.*only accepts JSON events/);
    await expect(resolveEventFiles([], ['events/*.json'], dir, dir)).rejects.toBeInstanceOf(InputError);
  });
});
