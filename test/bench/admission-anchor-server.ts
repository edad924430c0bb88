// bench:admission's anchor, run as its own process: the least a mutating webhook can do. Node's own
// HTTPS server with the Furnace server's certificate; every review is answered with a fixed JSON patch
// (the bytes Furnace answered for the benchmark's pod), only the request's uid read from the body.
// Environment: ANCHOR_PORT, ANCHOR_CERT and ANCHOR_KEY (PEM files), ANCHOR_PATCH (base64 JSON patch).
// Each answer is logged as a JSON line with its time from request to answer (`responseTime`, ms), read
// as Fastify reads the Furnace server's: from the request's headers to the answer handed to the socket.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const patch = process.env.ANCHOR_PATCH ?? '';
const server = createServer(
  { cert: readFileSync(process.env.ANCHOR_CERT ?? ''), key: readFileSync(process.env.ANCHOR_KEY ?? '') },
  (req, res) => {
    const received = performance.now();
    res.on('finish', () =>
      process.stdout.write(`${JSON.stringify({ responseTime: performance.now() - received })}\n`),
    );
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string } };
      const body = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: review.request?.uid ?? '', allowed: true, patchType: 'JSONPatch', patch },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.listen(Number(process.env.ANCHOR_PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
