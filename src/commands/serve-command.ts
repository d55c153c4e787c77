import { createSandbox } from '../core/sandbox/create-sandbox.js';
import { formatInvocationSummary, formatIsolation } from '../core/sandbox/format-invocation.js';
import { startInvokeApiServer } from '../core/sandbox/invoke-api-server.js';
import type { CommandModule } from './command-io.js';
import { intFlag, parseCommandArgs } from './parse-command-args.js';
import { FUNCTION_FLAGS, FUNCTION_FLAGS_HELP, resolveFunctionArgs, sandboxLogPrinter } from './run-command.js';

/** `lambdafit serve`: the Lambda Invoke API on localhost, backed by the sandbox. */
export const serveCommand: CommandModule = {
  summary: 'serve the Lambda Invoke API on localhost, backed by the sandbox',
  help: `Usage: lambdafit serve [path] [options]

Serves POST /2015-03-31/functions/{name}/invocations on localhost, so \`aws lambda invoke
--endpoint-url\` and the AWS SDKs can call the function running in the sandbox. Errors come back
as on Lambda (200 with X-Amz-Function-Error), X-Amz-Log-Type: Tail returns the log tail, Event
invocations return 202. Environments stay warm between requests; concurrent requests get
separate environments, as Lambda scales out. Stop with Ctrl-C.

  path             a folder, a .zip or a .tar.gz (default: .)
  --port N         port on 127.0.0.1 (default 3001; 0 picks a free one)
${FUNCTION_FLAGS_HELP}

Example:
  lambdafit serve . --port 3001 &
  aws lambda invoke --endpoint-url http://127.0.0.1:3001 --function-name <folder name> \\
    --payload '{"q":"hi"}' --cli-binary-format raw-in-base64-out out.json

Exit codes: 0 stopped by Ctrl-C, 2 bad usage or input, 3 the sandbox could not start.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('serve', argv, { ...FUNCTION_FLAGS, port: { type: 'string' } });
    const port = intFlag('port', values.port, 0, 65_535) ?? 3001;
    const { bundle, release, fn, network, isolation } = await resolveFunctionArgs('serve', positionals[0], values, io);
    try {
      for (const a of fn.assumptions) io.stderr.write(`assumed: ${a}\n`);
      const sandbox = await createSandbox({ bundleDir: bundle.dir, fn, network, isolation, onProgress: sandboxLogPrinter(io.stderr), signal: io.signal });
      let count = 0;
      try {
        const server = await startInvokeApiServer({
          sandbox,
          port,
          onInvocation: (result) => {
            count += 1;
            io.stderr.write(`${formatInvocationSummary(result, fn.memorySize, count)}\n`);
          },
        });
        for (const line of formatIsolation(sandbox.isolation)) io.stderr.write(`${line}\n`);
        if (values.json) {
          io.stdout.write(JSON.stringify({ url: server.url, functionName: fn.functionName, function: fn, isolation: sandbox.isolation }, null, 2) + '\n');
        } else {
          io.stdout.write(
            `Serving ${fn.functionName} (${fn.runtime}, ${fn.memorySize} MB) at ${server.url}\n` +
              `  aws lambda invoke --endpoint-url ${server.url} --function-name ${fn.functionName} out.json\n` +
              'Press Ctrl-C to stop.\n',
          );
        }
        await new Promise<void>((resolve) => {
          if (io.signal.aborted) resolve();
          io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        // Closing the sandbox ends running invocations, which lets the server finish its responses.
        await Promise.all([server.close(), sandbox.close()]);
      } finally {
        await sandbox.close();
      }
      io.stderr.write(`stopped after ${count} invocation${count === 1 ? '' : 's'}\n`);
      return 0;
    } finally {
      await release();
    }
  },
};
