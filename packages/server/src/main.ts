/**
 * @module main
 * `npm start`: validates the configuration, opens the database, starts the server,
 * prints where to go, and shuts down gracefully on SIGINT/SIGTERM (`ops/shutdown`).
 * With `WORKERS` > 1 this process is the node's primary and each worker runs the server
 * (`ops/workers`). A start that fails prints one line, naming the setting at fault where one
 * is (`startupProblem`: a bad configuration exits 2, a failure at run time 1), with the stack
 * only at `LOG_LEVEL=debug` or `trace`. `--unseal-secrets` writes `server_secrets` back in plain text
 * with `SECRETS_KEY` and exits (`ops/unsealSecrets`).
 */
import cluster from 'node:cluster';
import { hostname } from 'node:os';
import { pino } from 'pino';
import type { Config } from './config.js';
import { ConfigError, loadConfig, startupProblem } from './config.js';
import { loggerOptions } from './ops/logging.js';
import { exitOnSignals } from './ops/shutdown.js';
import { joinNode, runPrimary, workerIndex, workerScrape } from './ops/workers.js';

/** The configuration once loaded: a failure after that may be explained by one of its settings. */
let config: Config | undefined;

async function main(): Promise<void> {
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (process.argv.includes('--unseal-secrets')) {
    const { unsealSecretsCommand } = await import('./ops/unsealSecrets.js');
    process.exit(await unsealSecretsCommand(config, (line) => process.stdout.write(`${line}\n`)));
  }
  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary({
      workers: config.workers,
      drainMs: config.shutdownDrainMs,
      metricsAddress: config.metrics.address,
      log: pino(loggerOptions(config.logLevel, { base: { pid: process.pid, hostname: hostname(), role: 'primary' } })),
      print: (text) => process.stdout.write(text),
      exit: (code) => process.exit(code),
    });
    return;
  }
  // Loaded here, not at the top: a primary serves nothing and need not hold the server's modules
  // (its RSS ≈ 75 MiB instead of ≈ 160).
  const { createServer } = await import('./app.js');
  const worker = workerIndex();
  const server = await createServer(
    config,
    worker === null
      ? {}
      : { worker: { scrape: workerScrape }, logger: { base: { pid: process.pid, hostname: hostname(), worker } } },
  );
  await server.listen();
  const url = config.publicUrl;
  const lines = [
    '',
    `  Remote Help is running at ${url}`,
    `    Helper app:   ${url}/help`,
    `    Sharer app:   ${url}/share`,
    `    Admin center: ${url}/admin`,
  ];
  if (config.httpRedirectPort !== null)
    lines.push(`  Plain HTTP on port ${config.httpRedirectPort} redirects (308) to ${url}`);
  if (server.seed.seeded) {
    lines.push('', '  Demo organizations were created:', ...server.seed.accounts.map((a) => `    ${a}`));
    lines.push(
      server.seed.generatedPassword
        ? `  Demo password (shown only now; set DEMO_PASSWORD to choose one on a fresh database): ${server.seed.generatedPassword}`
        : '  Demo password: the value of DEMO_PASSWORD',
    );
    lines.push(
      '',
      '  Try it: open the helper app in one window (helper@contoso.example) and the sharer app in another',
      '  (sharer@contoso.example, e.g. a private window), then follow the screens; admin@contoso.example',
      '  opens the admin center.',
    );
  }
  if (worker !== null) {
    // The primary prints worker 1's banner once every worker listens.
    joinNode(server, `${lines.join('\n')}\n`, config.shutdownDrainMs);
    return;
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  exitOnSignals(server, config.shutdownDrainMs);
}

main().catch((error: unknown) => {
  const debug = config?.logLevel === 'debug' || config?.logLevel === 'trace';
  const known = config ? startupProblem(error, config) : null;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message || (typeof code === 'string' ? code : error.name) : String(error);
  const line = known ?? `${text.replace(/\s*\n\s*/g, ' ')}${debug ? '' : ' (LOG_LEVEL=debug prints the stack)'}`;
  process.stderr.write(`remote-help failed to start: ${line}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
