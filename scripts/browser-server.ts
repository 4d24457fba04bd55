// A Chromium for other processes to connect to: prints its address (one
// line), and closes it when its parent closes this process's stdin (or ends).
// `npm run prove-exercises` keeps one for all its check runs, which connect
// to it (CHECK_BROWSER) instead of each launching Chromium.
import { launchServer } from '../test/browser/harness';

async function main(): Promise<void> {
  const server = await launchServer();
  process.stdout.write(`${server.wsEndpoint()}\n`);
  const close = () => void server.close().finally(() => process.exit(0));
  process.stdin.on('end', close).on('error', close).resume();
  process.on('SIGTERM', close);
  server.process().once('exit', () => process.exit(1));
}

main().catch((err) => {
  console.error(`Chromium did not start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
