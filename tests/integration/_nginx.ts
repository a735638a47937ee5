/** nginx (Debian's nginx-light, installed by .ci/run) as a real target on a loopback port. */

export function nginxPath(): string | undefined {
  for (const p of ["/usr/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

export interface Nginx extends AsyncDisposable {
  url: string;
}

/** Starts nginx in the foreground (one process, no daemon) serving `hello world` on a free port. */
export async function startNginx(binary: string): Promise<Nginx> {
  const dir = await Deno.makeTempDir({ prefix: "hf-it-nginx-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "hello world\\n"; }
    location /missing { return 404; }
  }
}
`,
  );
  const child = new Deno.Command(binary, {
    args: ["-p", `${dir}/`, "-c", `${dir}/nginx.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Ready when it accepts connections.
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (i > 100) {
        child.kill("SIGKILL");
        const err = new TextDecoder().decode((await child.output()).stderr);
        throw new Error(`nginx did not start on port ${port}: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGQUIT");
      await child.status;
      await child.stderr.cancel();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
