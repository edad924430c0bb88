// A fake Pyroscope (not Pyroscope): an HTTP server that answers POST /ingest as Pyroscope's server API
// does (200, empty body) and keeps each request's method, path, query, headers and body for a test to
// assert against what Pyroscope's docs specify. `answer` lets a test make it refuse, redirect or stall.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import { portOf } from './ports.ts';

export interface IngestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FakePyroscope {
  url: string;
  server: Server;
  requests: IngestRequest[];
  /** How the next requests are answered; the default answers 200. */
  answer: (request: IngestRequest, response: ServerResponse) => void;
}

export async function startFakePyroscope(t: TestContext): Promise<FakePyroscope> {
  const fake: Omit<FakePyroscope, 'url' | 'server'> & Partial<FakePyroscope> = {
    requests: [],
    answer: (_request, response) => {
      response.writeHead(200).end();
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const received: IngestRequest = {
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      fake.requests.push(received);
      fake.answer(received, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return Object.assign(fake, { server, url: `http://127.0.0.1:${portOf(server)}` });
}
