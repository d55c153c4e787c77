import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python3 with onnx 1.12 and numpy: an independent producer and checker of models. */
export const PYTHON = '/usr/bin/python3';

/** Whether the independent Python onnx toolchain is present on this machine. */
export const hasPythonOnnx = (() => {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import onnx, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs a Python script (onnx, numpy and helper already imported) and returns its stdout. */
export function runPython(script: string, args: string[] = []): string {
  const prelude = 'import sys, json\nimport numpy as np\nimport onnx\nfrom onnx import helper, numpy_helper, TensorProto\n';
  return execFileSync(PYTHON, ['-c', prelude + script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
