import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, NoSuchKey } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startObjectStore, type ObjectStore } from '../../../src/core/object-store/object-store-server.js';

// The emulated store is exercised through the real AWS SDK v3, the client that generated
// loader code uses on Lambda.
describe('startObjectStore', () => {
  let dir: string;
  let store: ObjectStore;
  let s3: S3Client;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-s3-'));
    await mkdir(join(dir, 'models'));
    await writeFile(join(dir, 'models', 'model.bin'), Buffer.alloc(3 * 2 ** 20, 7));
    store = await startObjectStore({ dir, network: { bandwidthBytesPerSec: 30 * 2 ** 20, firstByteLatencyMs: 5 } });
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: store.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
  });
  afterEach(async () => {
    s3.destroy();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves GetObject to the AWS SDK byte for byte and counts the transfer', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'model.bin' }));
    const body = Buffer.from(await out.Body!.transformToByteArray());
    expect(body.equals(await readFile(join(dir, 'models', 'model.bin')))).toBe(true);
    expect(out.ContentLength).toBe(3 * 2 ** 20);
    expect(store.stats.bytesSent).toBe(3 * 2 ** 20);
    expect(store.stats.gets[0]).toMatchObject({ bucket: 'models', key: 'model.bin' });
  });

  it('paces downloads to the configured bandwidth', async () => {
    await s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'model.bin' })).then((o) => o.Body!.transformToByteArray());
    // 3 MiB at 30 MiB/s cannot arrive faster than 100 ms (a lower bound, not a timing assertion on us).
    expect(store.stats.gets[0]!.ms).toBeGreaterThanOrEqual(90);
  });

  it('supports ranges, HEAD, PUT, list, and answers NoSuchKey like S3', async () => {
    const part = await s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'model.bin', Range: 'bytes=10-19' }));
    expect((await part.Body!.transformToByteArray()).length).toBe(10);
    expect(part.ContentRange).toBe(`bytes 10-19/${3 * 2 ** 20}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'models', Key: 'model.bin' }));
    expect(head.ContentLength).toBe(3 * 2 ** 20);
    await s3.send(new PutObjectCommand({ Bucket: 'models', Key: 'deps/a.zip', Body: 'hello' }));
    expect(await readFile(join(dir, 'models', 'deps', 'a.zip'), 'utf8')).toBe('hello');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: 'deps/' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['deps/a.zip']);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'missing' }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('refuses keys that escape the bucket', async () => {
    const res = await fetch(`${store.endpoint}/models/..%2F..%2Fetc%2Fpasswd`);
    expect(res.status).toBe(400);
  });
});
