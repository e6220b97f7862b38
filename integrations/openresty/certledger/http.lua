-- A minimal HTTP/1.1 client over ngx.socket.tcp for certledger's API (lua-resty-http is not
-- packaged in Debian): one request per connection (Connection: close), Content-Length, chunked
-- or read-to-close bodies, https with certificate verification when asked.
local ngx = ngx
local tcp = ngx.socket.tcp
local concat = table.concat
local tonumber = tonumber
local tostring = tostring
local lower = string.lower

local _M = {}

local function parse_url(url)
  local scheme, host, port, path = url:match("^(https?)://([^:/]+):?(%d*)(.*)$")
  if not scheme then return nil, "bad url " .. url end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  if path == "" then path = "/" end
  return scheme, host, port, path
end

local function read_chunked(sock)
  local out = {}
  while true do
    local line, err = sock:receive("*l")
    if not line then return nil, err end
    local size = tonumber(line:match("^%x+"), 16)
    if not size then return nil, "bad chunk size" end
    if size == 0 then
      repeat
        line, err = sock:receive("*l")
        if not line then return nil, err end
      until line == ""
      return concat(out)
    end
    local data, derr = sock:receive(size)
    if not data then return nil, derr end
    out[#out + 1] = data
    local _, cerr = sock:receive(2)
    if cerr then return nil, cerr end
  end
end

-- opts: method, headers (table), body (string), timeout (ms), ssl_verify (bool)
-- Returns { status = n, headers = {lowercased = value}, body = s } or nil, err.
function _M.request(url, opts)
  opts = opts or {}
  local scheme, host, port, path = parse_url(url)
  if not scheme then return nil, host end
  local sock = tcp()
  sock:settimeout(opts.timeout or 2000)
  local ok, err = sock:connect(host, port)
  if not ok then return nil, "http connect: " .. tostring(err) end
  if scheme == "https" then
    ok, err = sock:sslhandshake(nil, host, opts.ssl_verify ~= false)
    if not ok then sock:close(); return nil, "http tls: " .. tostring(err) end
  end
  local method = opts.method or "GET"
  local lines = { method .. " " .. path .. " HTTP/1.1", "Host: " .. host, "Connection: close",
    "User-Agent: certledger-openresty", "Accept: application/json" }
  for k, v in pairs(opts.headers or {}) do lines[#lines + 1] = k .. ": " .. v end
  if opts.body then lines[#lines + 1] = "Content-Length: " .. #opts.body end
  local req = concat(lines, "\r\n") .. "\r\n\r\n" .. (opts.body or "")
  ok, err = sock:send(req)
  if not ok then sock:close(); return nil, "http send: " .. tostring(err) end
  local status_line
  status_line, err = sock:receive("*l")
  if not status_line then sock:close(); return nil, "http read: " .. tostring(err) end
  local status = tonumber(status_line:match("^HTTP/%d%.%d (%d%d%d)"))
  if not status then sock:close(); return nil, "http: bad status line" end
  local headers = {}
  while true do
    local line, herr = sock:receive("*l")
    if not line then sock:close(); return nil, "http read: " .. tostring(herr) end
    if line == "" then break end
    local k, v = line:match("^([^:]+):%s*(.-)%s*$")
    if k then headers[lower(k)] = v end
  end
  local body, berr
  if method == "HEAD" or status == 204 or status == 304 then
    body = ""
  elseif headers["transfer-encoding"] and lower(headers["transfer-encoding"]):find("chunked", 1, true) then
    body, berr = read_chunked(sock)
  elseif headers["content-length"] then
    local n = tonumber(headers["content-length"])
    body, berr = n > 0 and sock:receive(n) or "", nil
  else
    body, berr = sock:receive("*a")
  end
  sock:close()
  if not body then return nil, "http body: " .. tostring(berr) end
  return { status = status, headers = headers, body = body }
end

function _M.urlencode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

return _M
