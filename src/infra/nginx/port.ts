/** One nginx server's answer to a cache request (expire all, expire domains, status). */
export type NginxServerResult = {
  /** The server's base URL as configured (CERTLEDGER_NGINX_SERVERS). */
  server: string;
  ok: boolean;
  /** HTTP status, when the server answered. */
  status?: number;
  /** The server's JSON answer (or text when it was not JSON). */
  body?: unknown;
  /** Why it failed: timeout, refused, TLS, non-2xx, result != success. */
  error?: string;
  elapsedMs: number;
  /** expireDomains only: each name's answer from this server. */
  domains?: NginxDomainResult[];
};

/** One `expire/domain/{name}` request to one server. */
export type NginxDomainResult = { domainName: string; ok: boolean; status?: number; body?: unknown; error?: string };

/** Every server of the pool, asked in parallel. */
export type NginxFanOut = { success: string[]; errors: string[]; servers: NginxServerResult[] };

/** certledger's side of nginx cache control (peter_sslers' `nginx.*` settings). */
export type NginxCacheClient = {
  readonly servers: readonly string[];
  expireAll(): Promise<NginxFanOut>;
  /** One request per server and name, each server's names in parallel (bounded). */
  expireDomains(domainNames: readonly string[]): Promise<NginxFanOut>;
  status(): Promise<NginxFanOut>;
  close(): Promise<void>;
};
