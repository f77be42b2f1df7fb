/** Listening: the uWS app (plain, or TLS with SNI names), a listen that rejects, the --http-port redirect listener. */
import { createRedirectApp } from './redirect.js';
import type { CheckedTls } from '../setup/tls.js';
import type { TemplatedApp, UwsModule, us_listen_socket } from '../setup/uws.js';

/**
 * uWS App, or SSLApp with the default certificate and one server name per
 * SNI certificate. uWS reads the files; the worker checked them just before
 * (checkTls): addServerName crashes the process on a file it cannot load,
 * SSLApp throws without saying why.
 */
export function createApp(uws: UwsModule, tls: CheckedTls | null): TemplatedApp {
  if (tls === null) return uws.App();
  let app: TemplatedApp;
  try {
    app = uws.SSLApp(tls.main);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`uWebSockets.js could not load certificate ${tls.main.cert_file_name} with key ${tls.main.key_file_name} (${reason})`);
  }
  for (const { name, files } of tls.sni) app.addServerName(name, files);
  return app;
}

/** The --http-port listener; when it cannot listen, the HTTPS one (`token`) is closed too. */
export async function listenRedirect(uws: UwsModule, token: us_listen_socket, host: string, httpPort: number, httpsPort: number): Promise<us_listen_socket> {
  try {
    return await listen(createRedirectApp(uws, httpsPort), host, httpPort, ' (--http-port)');
  } catch (error) {
    uws.us_listen_socket_close(token);
    throw error;
  }
}

export function listen(app: TemplatedApp, host: string, port: number, what: string): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (token) => {
      if (token === false) reject(new Error(`cannot listen on ${host}:${port}${what}`));
      else resolve(token);
    });
  });
}
