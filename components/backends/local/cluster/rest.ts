/**
 * A small HTTP client for Patroni's REST API and etcd's health endpoint, on 127.0.0.1 only.
 * Pure Node (the dynamic providers serialize it). Credentials go in an Authorization header and
 * never in an error.
 */
import * as http from "http";

/** A REST answer: its status and its body, parsed as JSON when it is JSON. */
export interface RestAnswer {
  status: number;
  body: any;
}

/** Calls `method path` on 127.0.0.1:`port`; rejects on a connection error or after `timeoutMs`. */
export function callRest(port: number, method: string, urlPath: string, opts: { body?: unknown; auth?: { username: string; password: string }; timeoutMs?: number } = {}): Promise<RestAnswer> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`;
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers, timeout: opts.timeoutMs ?? 3_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let body: any = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath} on 127.0.0.1:${port} timed out`)));
    req.on("error", (err) => reject(new Error(`${method} ${urlPath} on 127.0.0.1:${port}: ${err.message}`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The status code of `GET path`, or 0 when nothing answers. */
export async function statusOf(port: number, urlPath: string, timeoutMs = 2_000): Promise<number> {
  try {
    return (await callRest(port, "GET", urlPath, { timeoutMs })).status;
  } catch {
    return 0;
  }
}
