// Runtime API relay for `--network none`: the function's network namespace has only its own
// loopback, so the host serves the Runtime API on a unix socket and this relay, started inside the
// namespace before the function, forwards 127.0.0.1:<port> to it. It prints one line when it is
// listening so that setup.sh starts the runtime only then.
import net from 'node:net';

const [socketPath, port] = process.argv.slice(2);
const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.createConnection(socketPath);
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
