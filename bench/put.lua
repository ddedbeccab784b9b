-- wrk script for bench/rating.py: PUT ratings or dots, rotating over participants, measures and
-- criteria so that every request changes a stored value (a repeat would be answered as "unchanged").
--
--   wrk -t1 -c50 -d8s -s bench/put.lua http://127.0.0.1:PORT -- DATA_FILE FIRST
--
-- DATA_FILE holds lines "kind ratings|dots", "token <participant token>", "item <id>" and
-- "criterion <key>". Request k (counted from FIRST) goes to participant k mod P, then measure,
-- then criterion; a full pass over them all moves the value on, so no request repeats the last
-- value of its rating or dot. The warm-up starts at 0, the measured run at the pass after the
-- warm-up's last one.

local kind = "ratings"
local tokens, items, criteria = {}, {}, {}
local k = 0

function init(args)
  for line in io.lines(args[1]) do
    local tag, value = line:match("^(%S+) (.+)$")
    if tag == "kind" then kind = value
    elseif tag == "token" then tokens[#tokens + 1] = value
    elseif tag == "item" then items[#items + 1] = value
    elseif tag == "criterion" then criteria[#criteria + 1] = value
    end
  end
  k = tonumber(args[2] or "0")
end

function request()
  local p = k % #tokens
  local rest = math.floor(k / #tokens)
  local i = rest % #items
  rest = math.floor(rest / #items)
  local body
  if kind == "ratings" then
    local c = rest % #criteria
    local pass = math.floor(rest / #criteria)
    body = '{"' .. criteria[c + 1] .. '": ' .. (pass % 5 + 1) .. '}'
  else
    body = '{"count": ' .. (rest % 3) .. '}'
  end
  k = k + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[p + 1], ["Content-Type"] = "application/json"}
  return wrk.format("PUT", "/api/v1/items/" .. items[i + 1] .. "/" .. kind, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-result {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
