import * as http from "http";

/** Stops an HTTP server now: open keep-alive connections are closed too, so no client holds it open. */
export async function closeServer(server: http.Server): Promise<void> {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
}
