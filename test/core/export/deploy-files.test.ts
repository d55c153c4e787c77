import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployScript } from '../../../src/core/export/deploy-script.js';
import type { DeploySpec } from '../../../src/core/export/deploy-spec.js';
import { baseImageFor, dockerfile } from '../../../src/core/export/dockerfile.js';
import { samTemplate } from '../../../src/core/export/sam-template.js';

const spec: DeploySpec = {
  lambdafit: '0.1.0',
  functionName: 'qa',
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  arch: 'arm64',
  target: 'zip-s3',
  memorySize: 3008,
  ephemeralStorage: 1024,
  timeout: 30,
  environment: { NODE_OPTIONS: '--require /var/task/lambdafit/model-fetch.cjs', GREETING: 'it\'s "$HOME" `x` \\ ok', LAMBDAFIT_BUCKET: 'local' },
  bucketVariables: ['LAMBDAFIT_BUCKET'],
  layers: [{ name: 'ort-runtime', file: 'layers/ort-runtime.zip' }],
  objects: [{ key: 'models/model.onnx', file: 'objects/models/model.onnx' }],
  image: false,
};

const hasPyYaml = spawnSync('python3', ['-c', 'import yaml']).status === 0;

/** Parses YAML with PyYAML, CloudFormation's `!Ref` tags included, and returns it as JSON. */
function parseYaml(text: string): any {
  const dir = mkdtempSync(join(tmpdir(), 'lambdafit-yaml-'));
  try {
    writeFileSync(join(dir, 't.yaml'), text);
    const script = "import json, sys, yaml\nyaml.SafeLoader.add_multi_constructor('!', lambda l, s, n: {s: l.construct_scalar(n)})\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    return JSON.parse(execFileSync('python3', ['-c', script, join(dir, 't.yaml')]).toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('samTemplate', () => {
  it.skipIf(!hasPyYaml)('is valid YAML wiring the function, its layer, the bucket parameter and every setting', () => {
    const t = parseYaml(samTemplate(spec));
    expect(t.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(Object.keys(t.Parameters)).toEqual(['ObjectsBucket']);
    expect(t.Resources.OrtRuntimeLayer).toEqual({
      Type: 'AWS::Serverless::LayerVersion',
      Properties: { LayerName: 'qa-ort-runtime', ContentUri: 'layers/ort-runtime.zip', CompatibleRuntimes: ['nodejs20.x'], CompatibleArchitectures: ['arm64'] },
    });
    const p = t.Resources.Function.Properties;
    expect(p).toMatchObject({ CodeUri: 'function.zip', Handler: 'index.handler', Runtime: 'nodejs20.x', Architectures: ['arm64'], MemorySize: 3008, EphemeralStorage: { Size: 1024 }, Timeout: 30 });
    expect(p.Layers).toEqual([{ Ref: 'OrtRuntimeLayer' }]);
    expect(p.Environment.Variables).toEqual({ NODE_OPTIONS: spec.environment.NODE_OPTIONS, GREETING: spec.environment.GREETING, LAMBDAFIT_BUCKET: { Ref: 'ObjectsBucket' } });
    expect(p.Policies).toEqual([{ S3ReadPolicy: { BucketName: { Ref: 'ObjectsBucket' } } }]);
  });

  it.skipIf(!hasPyYaml)('builds an image from the Dockerfile, without layers, for an image placement', () => {
    const t = parseYaml(samTemplate({ ...spec, image: true, objects: [] }));
    expect(t.Resources.Function.Properties.PackageType).toBe('Image');
    expect(t.Resources.Function.Properties.CodeUri).toBeUndefined();
    expect(t.Resources.Function.Metadata).toEqual({ DockerContext: '.', Dockerfile: 'Dockerfile', DockerTag: 'qa' });
    expect(Object.keys(t.Resources)).toEqual(['Function']);
  });
});

describe('deployScript', () => {
  it('is valid sh that stops without ROLE_ARN/BUCKET and passes the environment through untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambdafit-deploy-'));
    try {
      const script = join(dir, 'deploy.sh');
      writeFileSync(script, deployScript(spec), { mode: 0o755 });
      execFileSync('sh', ['-n', script]);
      const noRole = spawnSync('sh', [script], { env: { PATH: process.env.PATH } });
      expect(noRole.status).not.toBe(0);
      expect(noRole.stderr.toString()).toMatch(/ROLE_ARN.*execution role/);
      // The ENVIRONMENT document as the script builds it, with a fake aws that prints its arguments.
      writeFileSync(join(dir, 'aws'), '#!/bin/sh\ncase "$*" in *get-function*) exit 1;; *publish-layer-version*) echo arn:layer:1;; *create-function*) printf "%s\\n" "$@" > "$(dirname "$0")/create.args";; esac\n', { mode: 0o755 });
      const run = spawnSync('sh', [script], { env: { PATH: `${dir}:${process.env.PATH}`, ROLE_ARN: 'arn:role', BUCKET: 'my-bucket' } });
      expect(run.stderr.toString()).toBe('');
      expect(run.status).toBe(0);
      const args = readFileSync(join(dir, 'create.args'), 'utf8').split('\n');
      const env = JSON.parse(args[args.indexOf('--environment') + 1]!);
      expect(env.Variables).toEqual({ NODE_OPTIONS: spec.environment.NODE_OPTIONS, GREETING: spec.environment.GREETING, LAMBDAFIT_BUCKET: 'my-bucket' });
      expect(args).toEqual(expect.arrayContaining(['--architectures', 'arm64', '--memory-size', '3008', '--ephemeral-storage', 'Size=1024', '--layers', 'arn:layer:1', '--code', 'S3Bucket=my-bucket,S3Key=lambdafit/qa/function.zip']));
      // zip-direct: the zip goes in the request, the bucket only holds the objects.
      const direct = deployScript({ ...spec, target: 'zip-direct' });
      expect(direct).toMatch(/--zip-file fileb:\/\/function\.zip/);
      expect(direct).not.toMatch(/function\.zip "s3:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dockerfile', () => {
  it('starts from AWS base image for the runtime, copies layers to /opt and the package to the task root', () => {
    expect(baseImageFor('python3.11')).toBe('public.ecr.aws/lambda/python:3.11');
    expect(baseImageFor('provided.al2023')).toBe('public.ecr.aws/lambda/provided:al2023');
    const text = dockerfile({ ...spec, image: true });
    expect(text).toMatch(/^FROM --platform=linux\/arm64 public\.ecr\.aws\/lambda\/nodejs:20$/m);
    expect(text).toMatch(/^COPY layers\/ort-runtime\/ \/opt\/$/m);
    expect(text).toMatch(/^COPY function\/ \$\{LAMBDA_TASK_ROOT\}\/$/m);
    expect(text).toMatch(/^CMD \["index\.handler"\]$/m);
    expect(text).not.toMatch(/LAMBDAFIT_BUCKET/);
  });
});
