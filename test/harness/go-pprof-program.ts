// The Go program that pprof tests record: net/http/pprof on a port, a known hot function (furnaceGoHot),
// memory it keeps (furnaceGoRetain, for heap profiles), goroutines it parks (furnaceGoPark, for goroutine
// profiles), a mutex four goroutines fight over, each holding it 2 ms at a time in furnaceGoHoldLock (mutex
// and block profiles, which it enables at every event), and a hot allocation site (furnaceGoAllocate, 64 KiB
// a millisecond, for allocs profiles); optionally served over TLS that requires a client certificate (the way etcd guards its
// metrics and pprof). Built with the machine's Go in the test; only the standard library.
import { rmSync } from 'node:fs';
import { access, mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, startProcess, type RunningProcess } from './processes.ts';

const MAIN_GO = `package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"
)

var sink uint64
var retained [][]byte

//go:noinline
func furnaceGoHot() {
	for i := uint64(0); i < 5000000; i++ {
		sink += i ^ (sink >> 3)
	}
}

//go:noinline
func furnaceGoRetain() {
	for i := 0; i < 64; i++ {
		retained = append(retained, make([]byte, 256*1024))
	}
}

//go:noinline
func furnaceGoPark(ch chan struct{}) { <-ch }

var contended sync.Mutex

//go:noinline
func furnaceGoHoldLock() {
	contended.Lock()
	time.Sleep(2 * time.Millisecond)
	contended.Unlock()
}

var allocated []byte

//go:noinline
func furnaceGoAllocate() {
	for {
		allocated = make([]byte, 64*1024)
		time.Sleep(time.Millisecond)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "listen address")
	cert := flag.String("cert", "", "serving certificate (TLS when set)")
	key := flag.String("key", "", "serving key")
	clientCA := flag.String("client-ca", "", "CA that client certificates must chain to (mTLS)")
	flag.Parse()
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	furnaceGoRetain()
	runtime.GC() // heap profiles show what was in use at the last GC: make that after the memory is kept
	park := make(chan struct{})
	for i := 0; i < 7; i++ {
		go furnaceGoPark(park)
	}
	go func() {
		for {
			furnaceGoHot()
		}
	}()
	for i := 0; i < 4; i++ {
		go func() {
			for {
				furnaceGoHoldLock()
			}
		}()
	}
	go furnaceGoAllocate()
	server := &http.Server{Addr: *addr}
	if *cert == "" {
		log.Fatal(server.ListenAndServe())
	}
	if *clientCA != "" {
		pem, err := os.ReadFile(*clientCA)
		if err != nil {
			log.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		server.TLSConfig = &tls.Config{ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	}
	server.ReadHeaderTimeout = 10 * time.Second
	log.Fatal(server.ListenAndServeTLS(*cert, *key))
}
`;

/** The Go toolchain: on PATH, or where go.dev's tarball puts it. */
export async function goBinary(): Promise<string> {
  try {
    await access('/usr/local/go/bin/go');
    return '/usr/local/go/bin/go';
  } catch {
    return 'go';
  }
}

/** Builds the program into dir; returns its path. Standard library only: no module download. */
export async function buildGoPprofProgram(dir: string, name = 'furnace-go-hot'): Promise<string> {
  await writeFile(join(dir, 'main.go'), MAIN_GO);
  const path = join(dir, name);
  await run(await goBinary(), ['build', '-o', path, 'main.go'], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
  });
  return path;
}

let shared: Promise<string> | undefined;

/** The program built once per test process (into a directory removed when the process exits). */
export function sharedGoPprofProgram(): Promise<string> {
  shared ??= mkdtemp('/var/tmp/furnace-go-pprof-').then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return buildGoPprofProgram(dir);
  });
  return shared;
}

export interface GoServeOptions {
  port: number;
  tls?: { certPath: string; keyPath: string; clientCaPath?: string };
}

/** Starts a built program and waits until its port accepts connections. */
export async function startGoPprofProgram(
  t: TestContext,
  path: string,
  options: GoServeOptions,
  start: (args: string[]) => RunningProcess = (args) => startProcess(t, path, args),
): Promise<RunningProcess> {
  const args = [`-addr=127.0.0.1:${options.port}`];
  if (options.tls !== undefined) {
    args.push(`-cert=${options.tls.certPath}`, `-key=${options.tls.keyPath}`);
    if (options.tls.clientCaPath !== undefined) args.push(`-client-ca=${options.tls.clientCaPath}`);
  }
  const program = start(args);
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(options.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return program;
    if (program.child.exitCode !== null) throw new Error(`the Go program exited:\n${program.output()}`);
    await sleep(50);
  }
  throw new Error(`the Go program did not listen on ${options.port}:\n${program.output()}`);
}
