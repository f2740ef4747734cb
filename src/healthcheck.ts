/**
 * The container's HEALTHCHECK: asks the server on this host (PORT) whether it
 * is ready (GET /healthz: GitHub and the audit store reachable; or the path
 * given as the first argument, e.g. /ping for liveness only) and exits 0 only
 * on a 200. Node is the one tool every image of the app has; this needs
 * neither curl nor a shell.
 */
const port = Number(process.env.PORT) || 3000;
const path = process.argv[2] ?? "/healthz";

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
