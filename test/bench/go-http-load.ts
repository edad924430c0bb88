// A closed-loop HTTP/1.1 load generator in Go (standard library only), in the manner of wrk: a fixed
// number of keep-alive connections, each sending its next GET as soon as the previous answer has been
// read. Go rather than ApacheBench because ab speaks HTTP/1.0, and a server cannot keep an HTTP/1.0
// connection open for an answer whose length it learns only as it sends it (a page compressed per
// request); rather than Node because a Node client costs as much per request as the server under test.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { goBinary } from '../harness/go-pprof-program.ts';
import { run } from '../harness/processes.ts';

const LOAD_GO = `package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := os.Args[1]
	connections, _ := strconv.Atoi(os.Args[2])
	seconds, _ := strconv.ParseFloat(os.Args[3], 64)
	transport := &http.Transport{MaxIdleConnsPerHost: connections, MaxConnsPerHost: connections, DisableCompression: true}
	client := &http.Client{Transport: transport}
	var done, failed atomic.Int64
	start := time.Now()
	deadline := start.Add(time.Duration(seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for i := 0; i < connections; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
				} else {
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("requests %d failed %d seconds %.6f\\n", done.Load(), failed.Load(), time.Since(start).Seconds())
}
`;

/** Builds the load generator into dir; returns its path. */
export async function buildHttpLoad(dir: string): Promise<string> {
  await writeFile(join(dir, 'load.go'), LOAD_GO);
  const path = join(dir, 'furnace-http-load');
  await run(await goBinary(), ['build', '-o', path, 'load.go'], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
  });
  return path;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** The CPU the generator is pinned to (taskset), with GOMAXPROCS=1. */
  cpu: number;
}

/** Runs the generator: requests answered and the seconds it took. Throws when any request failed. */
export async function generateHttpLoad(
  binary: string,
  options: LoadOptions,
): Promise<{ requests: number; seconds: number }> {
  const { stdout } = await run(
    'taskset',
    ['-c', String(options.cpu), binary, options.url, String(options.connections), String(options.seconds)],
    { env: { ...process.env, GOMAXPROCS: '1' } },
  );
  const match = /requests (\d+) failed (\d+) seconds ([\d.]+)/.exec(stdout);
  if (!match || match[2] !== '0') throw new Error(`the load generator reported failures: ${stdout}`);
  return { requests: Number(match[1]), seconds: Number(match[3]) };
}
