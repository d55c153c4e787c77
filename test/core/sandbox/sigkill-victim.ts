// Child process of sandbox-cleanup.slow.test.ts: starts a sandbox, begins a long invocation, prints
// READY with its pid, and waits to be SIGKILLed. Not a test file.
import { resolveFunctionConfig } from '../../../src/core/config/resolve-function-config.js';
import { createSandbox } from '../../../src/core/sandbox/create-sandbox.js';
import { fixture } from './sandbox-test-kit.js';

const dir = fixture('node-probe');
const fn = await resolveFunctionConfig(dir, { memorySize: 256, timeout: 120 });
const network = process.argv[2] === 'none' ? 'none' : 'host';
const sb = await createSandbox({ bundleDir: dir, fn, network, isolation: 'kernel' });
const running = sb.invoke('{"action":"sleep","ms":100000}', {});
let announced = false;
// Announce once the function is inside its invocation (its environment is fully set up).
const timer = setInterval(() => {
  if (announced) return;
  announced = true;
  process.stdout.write(`READY ${process.pid}\n`);
}, 1500);
await running;
clearInterval(timer);
