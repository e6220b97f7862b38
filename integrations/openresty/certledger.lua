-- certledger for OpenResty / nginx with the Lua module: the certificate of a TLS handshake
-- chosen by SNI, from (in order) a worker LRU of parsed certificates, a shared dict of PEMs,
-- the Redis prime certledger writes (style 1 or 2, DESIGN.md §5), and certledger's
-- `{prefix}/domain/{name}/config.json?openresty=1` (optionally autocert). Misses are cached
-- briefly. Expire and status endpoints work on every worker through generation counters kept
-- in the shared dict.
--
--   init_by_lua_block { require "resty.core"; require("certledger").new({ name = "main", ... }) }
--   ssl_certificate_by_lua_block { require("certledger").ssl_certificate("main") }
--   location /certledger/ { content_by_lua_block { require("certledger").admin({ allow = { "127.0.0.1" } }) } }
local ngx = ngx
local ssl = require "ngx.ssl"
local lrucache = require "resty.lrucache"
local cjson = require "cjson.safe"
local redis = require "certledger.redis"
local http = require "certledger.http"

local ngx_log, ERR, WARN, DEBUG = ngx.log, ngx.ERR, ngx.WARN, ngx.DEBUG
local null = ngx.null
local tostring = tostring

local _M = { _VERSION = "0.1.0" }

local instances = {}
local instance_names = {}

local defaults = {
  shared_dict = "certledger",
  lru_size = 1000,
  lru_ttl = 60,         -- seconds a parsed certificate stays in a worker
  shared_ttl = 600,     -- seconds a PEM stays in the shared dict
  miss_ttl = 30,        -- seconds a miss (no certificate anywhere) is remembered
  redis = nil,          -- { host, port, db = 9, style = 1|2|"1,2", timeout, password }
  api = nil,            -- { url = "http://127.0.0.1:7201/.well-known/peter_sslers", autocert = false, timeout, headers }
  api_preference = { "certificate_signed__latest_multi", "certificate_signed__latest_single" },
}

local Instance = {}
Instance.__index = Instance

--- Creates (and registers under opts.name) a certificate source; call in init_by_lua.
function _M.new(opts)
  opts = opts or {}
  local self = setmetatable({}, Instance)
  for k, v in pairs(defaults) do self[k] = v end
  for k, v in pairs(opts) do self[k] = v end
  self.name = self.name or "default"
  if self.redis then
    local style = self.redis.style or 1
    if type(style) == "number" then style = { style } end
    if type(style) == "string" then
      local list = {}
      for s in style:gmatch("%d") do list[#list + 1] = tonumber(s) end
      style = list
    end
    self.redis_styles = style
  end
  local lru, err = lrucache.new(self.lru_size)
  if not lru then error("certledger: lrucache: " .. tostring(err)) end
  self.lru = lru
  if not instances[self.name] then instance_names[#instance_names + 1] = self.name end
  instances[self.name] = self
  self.stats = { lru_hit = 0, shared_hit = 0, redis_hit = 0, api_hit = 0, miss = 0, miss_cached = 0, errors = 0 }
  return self
end

function _M.get(name)
  return instances[name or "default"]
end

local function dict_of(self)
  local dict = ngx.shared[self.shared_dict]
  if not dict then error("certledger: lua_shared_dict " .. self.shared_dict .. " is not declared") end
  return dict
end

-- Generations: `g:*` (expire all) and `g:{domain}` (expire one), bumped by the expire endpoint,
-- so every worker drops its LRU entries on its next handshake for that name.
local function generation(dict, server_name)
  return (dict:get("g:*") or 0) .. "/" .. (dict:get("g:" .. server_name) or 0)
end

local function join_chain(cert, chain)
  if not chain or chain == "" then return cert end
  if cert:sub(-1) ~= "\n" then cert = cert .. "\n" end
  return cert .. chain
end

local function from_redis(self, server_name)
  local r = self.redis
  local conn, err = redis.connect({ host = r.host, port = r.port, db = r.db or 9, timeout = r.timeout,
    password = r.password })
  if not conn then return nil, err end
  local found
  for _, style in ipairs(self.redis_styles) do
    if style == 1 then
      local ids, e = conn:command("HMGET", "d1:" .. server_name, "c", "p", "i")
      if not ids then conn:close(); return nil, e end
      local c, p, i = ids[1], ids[2], ids[3]
      if c ~= null and p ~= null then
        local cert = conn:command("GET", "c:" .. c)
        local key = conn:command("GET", "p:" .. p)
        local chain = (i ~= null and i ~= "") and conn:command("GET", "i:" .. i) or ""
        if cert and cert ~= null and key and key ~= null and chain and chain ~= null then
          found = { fullchain = join_chain(cert, chain), key = key }
        elseif cert == nil or key == nil or chain == nil then
          conn:close(); return nil, "redis error reading style 1 of " .. server_name
        end
      end
    elseif style == 2 then
      local v, e = conn:command("HMGET", "d2:" .. server_name, "p", "f")
      if not v then conn:close(); return nil, e end
      if v[1] ~= null and v[2] ~= null then found = { fullchain = v[2], key = v[1] } end
    end
    if found then break end
  end
  conn:keepalive()
  return found
end

local function pick_payload(self, body)
  local data = cjson.decode(body)
  if type(data) ~= "table" then return nil end
  for _, field in ipairs(self.api_preference) do
    local c = data[field]
    if type(c) == "table" and type(c.private_key) == "table" and type(c.private_key.pem) == "string" then
      local fullchain = type(c.fullchain) == "table" and c.fullchain.pem
      if type(fullchain) ~= "string" and type(c.certificate) == "table" and type(c.certificate.pem) == "string" then
        local chain = type(c.chain) == "table" and c.chain.pem
        fullchain = join_chain(c.certificate.pem, type(chain) == "string" and chain or "")
      end
      if type(fullchain) == "string" then return { fullchain = fullchain, key = c.private_key.pem } end
    end
  end
  return nil
end

local function from_api(self, server_name)
  local a = self.api
  local base = a.url:gsub("/+$", "")
  local res, err = http.request(base .. "/domain/" .. http.urlencode(server_name) .. "/config.json?openresty=1",
    { timeout = a.timeout, headers = a.headers, ssl_verify = a.ssl_verify })
  if not res then return nil, err end
  if res.status == 200 then
    local found = pick_payload(self, res.body)
    if found then return found end
  elseif res.status ~= 404 then
    return nil, "config.json status " .. res.status
  end
  if not a.autocert then return nil end
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  for k, v in pairs(a.headers or {}) do headers[k] = v end
  res, err = http.request(base .. "/api/domain/autocert.json?openresty=1", { method = "POST",
    timeout = a.autocert_timeout or 30000, headers = headers, ssl_verify = a.ssl_verify,
    body = "domain_name=" .. http.urlencode(server_name) })
  if not res then return nil, err end
  if res.status == 200 then return pick_payload(self, res.body) end
  ngx_log(WARN, "certledger: autocert ", server_name, ": status ", res.status)
  return nil
end

local function parse(pems)
  local chain, err = ssl.parse_pem_cert(pems.fullchain)
  if not chain then return nil, "parse certificate: " .. tostring(err) end
  local key, kerr = ssl.parse_pem_priv_key(pems.key)
  if not key then return nil, "parse key: " .. tostring(kerr) end
  return { chain = chain, key = key }
end

--- Finds the parsed certificate for a server name; returns { chain, key, source } or nil, err.
function Instance:lookup(server_name)
  local dict = dict_of(self)
  local stats = self.stats
  local gen = generation(dict, server_name)
  local entry = self.lru:get(server_name)
  if entry and entry.gen == gen then
    if entry.miss then stats.miss_cached = stats.miss_cached + 1; return nil end
    stats.lru_hit = stats.lru_hit + 1
    return entry.parsed, nil, "lru"
  end
  local skey = self.name .. "|" .. server_name
  local pems, source
  local cached = dict:get(skey)
  if cached == "-" then
    self.lru:set(server_name, { gen = gen, miss = true }, self.miss_ttl)
    stats.miss_cached = stats.miss_cached + 1
    return nil
  elseif cached then
    pems = cjson.decode(cached)
    source = "shared"
    stats.shared_hit = stats.shared_hit + 1
  end
  local errs
  if not pems and self.redis then
    local err
    pems, err = from_redis(self, server_name)
    if pems then source = "redis"; stats.redis_hit = stats.redis_hit + 1
    elseif err then errs = err; ngx_log(ERR, "certledger: redis: ", err) end
  end
  if not pems and self.api then
    local err
    pems, err = from_api(self, server_name)
    if pems then source = "api"; stats.api_hit = stats.api_hit + 1
    elseif err then errs = err; ngx_log(ERR, "certledger: api: ", err) end
  end
  if not pems then
    if errs then
      stats.errors = stats.errors + 1
      return nil, errs -- errors are not cached as misses: the next handshake tries again
    end
    stats.miss = stats.miss + 1
    dict:set(skey, "-", self.miss_ttl)
    self.lru:set(server_name, { gen = gen, miss = true }, self.miss_ttl)
    return nil
  end
  local parsed, perr = parse(pems)
  if not parsed then stats.errors = stats.errors + 1; return nil, perr end
  if source ~= "shared" then dict:set(skey, cjson.encode(pems), self.shared_ttl) end
  self.lru:set(server_name, { gen = gen, parsed = parsed }, self.lru_ttl)
  return parsed, nil, source
end

--- ssl_certificate_by_lua handler: sets the chain and key for the SNI name, or leaves the
--- configured ssl_certificate in place when certledger has none.
function Instance:ssl_certificate()
  local server_name, err = ssl.server_name()
  if not server_name then
    if err then ngx_log(ERR, "certledger: server_name: ", err) end
    return
  end
  server_name = server_name:lower()
  local parsed, lerr, source = self:lookup(server_name)
  if not parsed then
    if lerr then ngx_log(ERR, "certledger: ", server_name, ": ", lerr) end
    return
  end
  ngx_log(DEBUG, "certledger: ", server_name, " from ", source)
  local ok, serr = ssl.clear_certs()
  if not ok then ngx_log(ERR, "certledger: clear_certs: ", serr); return ngx.exit(ngx.ERROR) end
  ok, serr = ssl.set_cert(parsed.chain)
  if not ok then ngx_log(ERR, "certledger: set_cert: ", serr); return ngx.exit(ngx.ERROR) end
  ok, serr = ssl.set_priv_key(parsed.key)
  if not ok then ngx_log(ERR, "certledger: set_priv_key: ", serr); return ngx.exit(ngx.ERROR) end
end

function _M.ssl_certificate(name)
  local inst = instances[name or "default"]
  if not inst then
    ngx_log(ERR, "certledger: no instance ", tostring(name), " (call certledger.new in init_by_lua)")
    return
  end
  return inst:ssl_certificate()
end

--- Drops cached certificates: one server name, or all of them (every instance, every worker).
function _M.expire(server_name)
  local seen = {}
  for _, name in ipairs(instance_names) do
    local inst = instances[name]
    local dict = dict_of(inst)
    if not seen[inst.shared_dict] then
      seen[inst.shared_dict] = true
      dict:incr(server_name and ("g:" .. server_name) or "g:*", 1, 0)
      if not server_name then
        -- keep the generation counters, drop everything else
        for _, k in ipairs(dict:get_keys(0)) do
          if k:sub(1, 2) ~= "g:" then dict:delete(k) end
        end
      end
    end
    if server_name then
      dict:delete(name .. "|" .. server_name)
      inst.lru:delete(server_name)
    else
      inst.lru:flush_all()
    end
  end
end

function _M.status()
  local out = { instances = {} }
  for _, name in ipairs(instance_names) do
    local inst = instances[name]
    local dict = dict_of(inst)
    out.instances[name] = {
      worker_pid = ngx.worker.pid(),
      lru_items = inst.lru:count(),
      lru_capacity = inst.lru:capacity(),
      shared_dict = inst.shared_dict,
      shared_free_bytes = dict:free_space(),
      shared_capacity_bytes = dict:capacity(),
      redis = inst.redis and { host = inst.redis.host, port = inst.redis.port, db = inst.redis.db or 9,
        styles = inst.redis_styles } or cjson.null,
      api = inst.api and inst.api.url or cjson.null,
      stats = inst.stats,
      ttl = { lru = inst.lru_ttl, shared = inst.shared_ttl, miss = inst.miss_ttl },
    }
  end
  return out
end

local function allowed(allow)
  if not allow then return true end
  local addr = ngx.var.remote_addr
  for _, a in ipairs(allow) do
    if a == addr or a == "all" then return true end
  end
  return false
end

local function reply(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(body))
  return ngx.exit(status)
end

--- content_by_lua handler for a location such as `location /certledger/`:
---   {location}expire/all                 → expire everything
---   {location}expire/domain/{name}       → expire one server name
---   {location}status                     → cache statistics of this worker
--- opts.allow: list of client addresses allowed (exact match; "all" allows any).
function _M.admin(opts)
  opts = opts or {}
  if not allowed(opts.allow) then return reply(403, { result = "error", message = "forbidden" }) end
  local uri = ngx.var.uri
  local domain = uri:match("/expire/domain/([^/]+)/?$")
  if domain then
    domain = ngx.unescape_uri(domain):lower()
    _M.expire(domain)
    return reply(200, { result = "success", expired = "domain", domain = domain })
  end
  if uri:match("/expire/all/?$") then
    _M.expire(nil)
    return reply(200, { result = "success", expired = "all" })
  end
  if uri:match("/status/?$") then
    return reply(200, { result = "success", status = _M.status() })
  end
  return reply(404, { result = "error", message = "unknown path" })
end

return _M
