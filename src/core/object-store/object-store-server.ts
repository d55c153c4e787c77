import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { throttle } from './throttle-stream.js';

/** Network characteristics of the emulated object store. */
export interface ObjectStoreNetwork {
  /**
   * Sustained bytes per second of one GET stream.
   * @default 90 MiB/s — a single S3 GET stream from a Lambda function in the same Region
   */
  bandwidthBytesPerSec: number;
  /**
   * Delay before the first byte of every response (request latency).
   * @default 25 ms — typical in-Region S3 time to first byte
   */
  firstByteLatencyMs: number;
}

/** In-Region S3 as lambdafit models it by default; both figures are parameters, not facts. */
export const IN_REGION_S3: ObjectStoreNetwork = { bandwidthBytesPerSec: 90 * 2 ** 20, firstByteLatencyMs: 25 };

/** Options for {@link startObjectStore}. */
export interface ObjectStoreOptions {
  /** Folder holding one sub-folder per bucket. */
  dir: string;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Host to listen on. @default 127.0.0.1 */
  host?: string;
  /** Network model. @default IN_REGION_S3 */
  network?: ObjectStoreNetwork;
}

/** Counters of what clients fetched, so a plan's measured cold start can show its transfer. */
export interface ObjectStoreStats {
  requests: number;
  bytesSent: number;
  gets: { bucket: string; key: string; bytes: number; ms: number }[];
}

/** A running object store. */
export interface ObjectStore {
  /** `http://host:port`, for the AWS SDK's `endpoint` (with `forcePathStyle: true`). */
  endpoint: string;
  port: number;
  stats: ObjectStoreStats;
  close(): Promise<void>;
}

/**
 * An S3-compatible object store on localhost (path-style GetObject with ranges, HeadObject,
 * PutObject, DeleteObject, ListObjectsV2), so loader code written for real S3 runs unchanged
 * against it, with configurable bandwidth and latency. Signatures are accepted, not verified:
 * it is a local test double for the network path, not an access-control emulator.
 */
export async function startObjectStore(options: ObjectStoreOptions): Promise<ObjectStore> {
  const root = resolve(options.dir);
  const network = options.network ?? IN_REGION_S3;
  const stats: ObjectStoreStats = { requests: 0, bytesSent: 0, gets: [] };
  await mkdir(root, { recursive: true });
  const server = createServer((req, res) => {
    stats.requests++;
    handle(root, network, stats, req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', err.message);
      else res.destroy(err);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { port, address } = server.address() as AddressInfo;
  return { endpoint: `http://${address}:${port}`, port, stats, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

async function handle(root: string, network: ObjectStoreNetwork, stats: ObjectStoreStats, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [bucket, ...rest] = url.pathname.slice(1).split('/').map(decodeURIComponent);
  const key = rest.join('/');
  await delay(network.firstByteLatencyMs);
  if (!bucket) return sendError(res, 400, 'InvalidBucketName', 'Path-style requests need a bucket: use forcePathStyle: true.');
  const bucketDir = join(root, bucket);
  const path = resolve(bucketDir, key);
  if (path !== bucketDir && !path.startsWith(bucketDir + sep)) return sendError(res, 400, 'InvalidArgument', 'Key escapes the bucket.');
  if (!key) {
    if (req.method === 'GET') return listObjects(bucketDir, bucket, url, res);
    if (req.method === 'PUT') {
      await mkdir(bucketDir, { recursive: true });
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'HEAD') return (await exists(bucketDir)) ? res.writeHead(200).end() : res.writeHead(404).end();
    return sendError(res, 405, 'MethodNotAllowed', `${req.method} is not supported on buckets.`);
  }
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return getObject(path, bucket, key, req, res, network, stats);
    case 'PUT':
      return putObject(path, req, res);
    case 'DELETE':
      await rm(path, { force: true });
      res.writeHead(204).end();
      return;
    default:
      return sendError(res, 405, 'MethodNotAllowed', `${req.method} is not supported.`);
  }
}

async function getObject(path: string, bucket: string, key: string, req: IncomingMessage, res: ServerResponse, network: ObjectStoreNetwork, stats: ObjectStoreStats) {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
  let start = 0;
  let end = info.size - 1;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    if (range[1] === '') start = Math.max(0, info.size - Number(range[2]));
    else {
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(end, Number(range[2]));
    }
    if (start > end) return sendError(res, 416, 'InvalidRange', 'The requested range is not satisfiable.');
  }
  const length = end - start + 1;
  res.writeHead(range ? 206 : 200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(length),
    'Last-Modified': info.mtime.toUTCString(),
    ETag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
    'Accept-Ranges': 'bytes',
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${info.size}` } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  const started = performance.now();
  await pipeline(createReadStream(path, { start, end, highWaterMark: 256 * 1024 }), throttle(network.bandwidthBytesPerSec), res);
  stats.bytesSent += length;
  stats.gets.push({ bucket, key, bytes: length, ms: performance.now() - started });
}

async function putObject(path: string, req: IncomingMessage, res: ServerResponse) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.upload-${process.pid}-${Date.now()}`;
  const hash = createHash('md5');
  req.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(req, createWriteStream(tmp));
  await rename(tmp, path);
  res.writeHead(200, { ETag: `"${hash.digest('hex')}"` }).end();
}

async function listObjects(bucketDir: string, bucket: string, url: URL, res: ServerResponse) {
  if (!(await exists(bucketDir))) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist.');
  const prefix = url.searchParams.get('prefix') ?? '';
  const files = (await readdir(bucketDir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => relative(bucketDir, join(d.parentPath, d.name)).split(sep).join('/'))
    .filter((k) => k.startsWith(prefix))
    .sort();
  const contents = await Promise.all(
    files.map(async (k) => {
      const s = await stat(join(bucketDir, k));
      return `<Contents><Key>${xml(k)}</Key><LastModified>${s.mtime.toISOString()}</LastModified><Size>${s.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    }),
  );
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${files.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`;
  res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, key?: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message>${key ? `<Key>${xml(key)}</Key>` : ''}</Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const delay = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
const exists = (p: string) => stat(p).then(() => true, () => false);
