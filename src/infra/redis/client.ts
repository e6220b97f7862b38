import { Redis } from 'ioredis';

/** The database number: CERTLEDGER_REDIS_DB, else the URL's path, else 9 as lua-resty-peter_sslers expects. */
export function openRedis(url: string, db?: number): Redis {
  const fromUrl = /^\/(\d+)$/.exec(new URL(url).pathname)?.[1];
  return new Redis(url, {
    db: db ?? (fromUrl !== undefined ? Number(fromUrl) : 9),
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
}
