/**
 * The operational HTTP endpoints of `logsift run`:
 *   GET /metrics  Prometheus text (src/telemetry/metrics.ts, prom-client); collected at request time
 *   GET /healthz  200 while the process is alive (the event loop answers)
 *   GET /readyz   200 when ready() says so (consumer joined and running, ES reachable, no halted
 *                 partition), else 503 with the reasons as JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMETHEUS_CONTENT_TYPE, type Registry } from './metrics.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: () => Readiness;
}

export interface TelemetryServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export async function startTelemetryServer(options: HttpServerOptions): Promise<TelemetryServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      options.registry.render().then(
        (body) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body),
        (err: Error) =>
          res
            .writeHead(500, { 'content-type': 'text/plain' })
            .end(`metrics collection failed: ${err.message}\n`),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
    } else if (path === '/readyz') {
      const r = options.readiness();
      res
        .writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify({ status: r.ready ? 'ready' : 'not-ready', reasons: r.reasons })}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics /healthz /readyz\n');
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    port: addr.port,
    host: addr.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
