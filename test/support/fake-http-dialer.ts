import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

/*
 * A local click-to-dial HTTP endpoint (the Movidesk/Api4Com model): records every
 * request and answers what the test tells it — by default 200 `{"call_id":"fake-<n>"}` like Movidesk's
 * POST contract — or hangs to exercise the timeout.
 */

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface DialerAnswer {
  status?: number;
  body?: string;
  contentType?: string;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export interface FakeDialer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** What the next requests get (until changed). */
  answer: DialerAnswer;
  close(): Promise<void>;
}

export async function startFakeDialer(): Promise<FakeDialer> {
  const hanging = new Set<ServerResponse>();
  const fake: FakeDialer = {
    url: '',
    requests: [],
    answer: {},
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      fake.requests.push({
        method: req.method ?? '',
        url,
        query: new URL(url, 'http://fake').searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = fake.answer;
      if (answer.hang) {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
      res.end(answer.body ?? JSON.stringify({ call_id: `fake-${fake.requests.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}
