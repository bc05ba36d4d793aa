/**
 * @module main
 * `npm start`: validates the configuration, opens the database, starts the server,
 * prints where to go, and shuts down gracefully on SIGINT/SIGTERM (`ops/shutdown`).
 */
import { ConfigError, loadConfig } from './config.js';
import { createServer } from './app.js';
import { exitOnSignals } from './ops/shutdown.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const server = await createServer(config);
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
  process.stdout.write(`${lines.join('\n')}\n\n`);

  exitOnSignals(server, config.shutdownDrainMs);
}

main().catch((error: unknown) => {
  process.stderr.write(`remote-help failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
