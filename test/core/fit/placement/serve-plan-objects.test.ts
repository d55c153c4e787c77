import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { servePlanObjects } from '../../../../src/core/fit/placement/serve-plan-objects.js';

let dir: string;
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('servePlanObjects', () => {
  it('serves a plan object to the AWS SDK through the environment it returns, and cleans up', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-serve-'));
    const file = join(dir, 'model.bin');
    await writeFile(file, Buffer.alloc(300_000, 3));
    const served = await servePlanObjects({ bucket: 'lambdafit-fn', objects: new Map([['lambdafit/abcd/model.bin', file]]), network: { bandwidthBytesPerSec: 50 * 2 ** 20, firstByteLatencyMs: 1 } });
    const env = served.environment;
    expect(env.AWS_ENDPOINT_URL_S3).toBe(served.endpoint);
    const s3 = new S3Client({ region: 'us-east-1', endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } });
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: 'lambdafit-fn', Key: 'lambdafit/abcd/model.bin' }));
      const bytes = await out.Body!.transformToByteArray();
      expect(bytes.length).toBe(300_000);
      expect(served.stats.gets).toEqual([expect.objectContaining({ bucket: 'lambdafit-fn', key: 'lambdafit/abcd/model.bin', bytes: 300_000 })]);
    } finally {
      s3.destroy();
      await served.close();
    }
    expect(existsSync(file)).toBe(true); // the source file is linked, never moved
  });
});
