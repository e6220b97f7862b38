-- A minimal Redis (RESP2) client over ngx.socket.tcp, enough for the certledger prime:
-- pooled connections, SELECT on new connections, and any command as an array of strings.
-- (lua-resty-redis is not packaged in Debian.)
local ngx = ngx
local tcp = ngx.socket.tcp
local concat = table.concat
local tostring = tostring
local tonumber = tonumber
local sub = string.sub
local byte = string.byte

local _M = {}
local mt = { __index = _M }

-- opts: host, port, db, timeout (ms), password, pool_size, idle_timeout (ms)
function _M.connect(opts)
  local sock = tcp()
  sock:settimeout(opts.timeout or 1000)
  local pool = (opts.host or "127.0.0.1") .. ":" .. (opts.port or 6379) .. ":" .. (opts.db or 0)
  local ok, err = sock:connect(opts.host or "127.0.0.1", opts.port or 6379, { pool = pool })
  if not ok then return nil, "redis connect: " .. tostring(err) end
  local self = setmetatable({ sock = sock, opts = opts }, mt)
  if (sock:getreusedtimes() or 0) == 0 then
    if opts.password then
      local res, aerr = self:command("AUTH", opts.password)
      if not res then sock:close(); return nil, aerr end
    end
    if opts.db and opts.db ~= 0 then
      local res, serr = self:command("SELECT", tostring(opts.db))
      if not res then sock:close(); return nil, serr end
    end
  end
  return self
end

local function read_reply(sock)
  local line, err = sock:receive("*l")
  if not line then return nil, "redis read: " .. tostring(err) end
  local kind = byte(line, 1)
  local rest = sub(line, 2)
  if kind == 43 then -- +
    return rest
  elseif kind == 45 then -- -
    return false, rest
  elseif kind == 58 then -- :
    return tonumber(rest)
  elseif kind == 36 then -- $
    local n = tonumber(rest)
    if n < 0 then return ngx.null end
    local data, rerr = sock:receive(n + 2)
    if not data then return nil, "redis read: " .. tostring(rerr) end
    return sub(data, 1, n)
  elseif kind == 42 then -- *
    local n = tonumber(rest)
    if n < 0 then return ngx.null end
    local out = {}
    for i = 1, n do
      local v, verr = read_reply(sock)
      if v == nil then return nil, verr end
      if v == false then v = ngx.null end
      out[i] = v
    end
    return out
  end
  return nil, "redis: bad reply " .. line
end

-- Returns the reply (ngx.null for nil bulk/array), or nil, err on I/O error or a Redis error.
function _M.command(self, ...)
  local args = { ... }
  local parts = { "*", #args, "\r\n" }
  for i = 1, #args do
    local a = tostring(args[i])
    parts[#parts + 1] = "$" .. #a .. "\r\n" .. a .. "\r\n"
  end
  local ok, err = self.sock:send(concat(parts))
  if not ok then self.sock:close(); return nil, "redis send: " .. tostring(err) end
  local res, rerr = read_reply(self.sock)
  if res == nil then self.sock:close(); return nil, rerr end
  if res == false then return nil, "redis: " .. tostring(rerr) end
  return res
end

function _M.keepalive(self)
  local ok, err = self.sock:setkeepalive(self.opts.idle_timeout or 10000, self.opts.pool_size or 32)
  if not ok then self.sock:close() end
  return ok, err
end

function _M.close(self)
  return self.sock:close()
end

return _M
