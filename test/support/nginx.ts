/**
 * A private nginx (Debian's, with libnginx-mod-http-lua) for end-to-end tests of the OpenResty
 * integration in integrations/openresty: its own prefix directory, pid file and loopback ports.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const NGINX_LUA_MODULE = '/usr/lib/nginx/modules/ngx_http_lua_module.so';
export const NGINX_DEVEL_KIT_MODULE = '/usr/lib/nginx/modules/ndk_http_module.so';
/** integrations/openresty: where `require "certledger"` is found. */
export const OPENRESTY_INTEGRATION_DIR = resolve(import.meta.dirname, '../../integrations/openresty');

export type TestNginx = {
  dir: string;
  /** The error log so far (for failure messages). */
  errorLog: () => Promise<string>;
  stop: () => Promise<void>;
};

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export function nginxWithLuaAvailable(): boolean {
  return existsSync('/usr/sbin/nginx') && existsSync(NGINX_LUA_MODULE);
}

/**
 * Starts nginx with `http` as the body of its http block (plus lua_package_path and an
 * init_by_lua_block running `initLua` after `require "resty.core"`). Workers run as root so
 * they read the temp files; `files` are written into the prefix directory first.
 */
export async function startNginx(options: {
  http: string;
  initLua?: string;
  files?: Record<string, string>;
  workers?: number;
}): Promise<TestNginx> {
  if (!nginxWithLuaAvailable()) {
    throw new Error(`nginx with the Lua module is missing (${NGINX_LUA_MODULE}): see .ci/run`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'certledger-nginx-'));
  await mkdir(join(dir, 'logs'));
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, 'tmp', t), { recursive: true });
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), content, { mode: 0o600 });
  const conf = `
load_module ${NGINX_DEVEL_KIT_MODULE};
load_module ${NGINX_LUA_MODULE};
user root;
worker_processes ${options.workers ?? 1};
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/client_body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  lua_package_path "${OPENRESTY_INTEGRATION_DIR}/?.lua;/usr/share/lua/5.1/?.lua;;";
  init_by_lua_block {
    require "resty.core"
    ${options.initLua ?? ''}
  }
${options.http}
}
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const errorLog = () => readFile(join(dir, 'logs/error.log'), 'utf8').catch(() => '');
  try {
    await run('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon on;']);
  } catch (error) {
    const log = await errorLog();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
  const pid = Number((await readFile(join(dir, 'nginx.pid'), 'utf8')).trim());
  return {
    dir,
    errorLog,
    stop: async () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        // The master removes its pid file on exit (a zombie would still answer signal 0).
        if (!existsSync(join(dir, 'nginx.pid'))) break;
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      if (existsSync(join(dir, 'nginx.pid'))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // stopped
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Where peter_sslers' nginx settings look by default (CERTLEDGER_NGINX_EXPIRE_PATH / _STATUS_PATH live under it). */
export const NGINX_CACHE_LOCATION = '/.peter_sslers/nginx/shared_cache/';

export type TestNginxCache = TestNginx & {
  /** The base URL to put in CERTLEDGER_NGINX_SERVERS (`http(s)://127.0.0.1:port`). */
  url: string;
  /** `METHOD URI STATUS` of every request to the admin location so far, oldest first. */
  requests: () => Promise<string[]>;
};

/**
 * An nginx whose NGINX_CACHE_LOCATION runs certledger.lua's admin handler, optionally on https
 * (`tls`) and behind auth_basic (nginx reads `user:{PLAIN}password` lines). `http` and `initLua`
 * add servers and instances (a `certledger` shared dict is declared); the instance `default`
 * exists unless `initLua` creates its own.
 */
export async function startNginxCache(options: {
  tls?: { certPem: string; keyPem: string };
  basicAuth?: { user: string; password: string };
  http?: string;
  initLua?: string;
  files?: Record<string, string>;
} = {}): Promise<TestNginxCache> {
  const port = await freePort();
  const files: Record<string, string> = { ...options.files };
  if (options.tls) Object.assign(files, { 'admin.crt': options.tls.certPem, 'admin.key': options.tls.keyPem });
  if (options.basicAuth) files['htpasswd'] = `${options.basicAuth.user}:{PLAIN}${options.basicAuth.password}\n`;
  const nginx = await startNginx({
    files,
    initLua: options.initLua ?? 'require("certledger").new({ name = "default", shared_dict = "certledger" })',
    http: `
  lua_shared_dict certledger 4m;
  log_format certledger_admin '$request_method $uri $status';
${options.http ?? ''}
  server {
    listen 127.0.0.1:${port}${options.tls ? ' ssl' : ''};
    ${options.tls ? 'ssl_certificate admin.crt; ssl_certificate_key admin.key;' : ''}
    access_log logs/admin-access.log certledger_admin;
    location ${NGINX_CACHE_LOCATION} {
      ${options.basicAuth ? 'auth_basic "certledger"; auth_basic_user_file htpasswd;' : ''}
      content_by_lua_block { require("certledger").admin({ allow = { "127.0.0.1" } }) }
    }
  }`,
  });
  return {
    ...nginx,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests: async () => (await readFile(join(nginx.dir, 'logs/admin-access.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
  };
}
