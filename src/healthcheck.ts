/**
 * The container's HEALTHCHECK: asks the server on this host (PORT) whether it
 * answers (GET /ping, or the path given as the first argument) and exits 0 only
 * on a 200. Node is the one tool every image of the app has; this needs
 * neither curl nor a shell.
 */
const port = Number(process.env.PORT) || 3000;
const path = process.argv[2] ?? "/ping";

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
