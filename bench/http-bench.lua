-- http-bench.lua - wrk script: GET /api/search for the queries of a file, and one RESULT line.
--
-- wrk -t T -c C -d 15s -s bench/http-bench.lua http://127.0.0.1:PORT -- QUERIES LABEL
-- Each request is /api/search?q=QUERY&limit=10, the socket bench's {"op":"search","q":...,
-- "limit":10}; the threads go through the file in turn from different places, so that
-- they do not ask the same query at the same moment. done() prints, as searchd-bench does:
--   RESULT <label> conc=<C> n=<N> p50_ms=.. p99_ms=.. mean_ms=.. qps=.. errors=<E>
-- where errors are the answers that were not 2xx and the failed connections, reads and writes,
-- and the requests that timed out; and took_p50_ms, the median of the answers' own "took_ms"
-- (the engine's time), as searchd-bench prints it for the socket.

local threads = {}
local queries = {}
local next_query = 0
tooks = {} -- this thread's answers' took_ms, read by done() through thread:get()

local function urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

function init(args)
    local path = args[1] or error("http-bench.lua: give the queries file after --")
    for line in io.lines(path) do
        if #line > 0 then
            queries[#queries + 1] = "/api/search?limit=10&q=" .. urlencode(line)
        end
    end
    if #queries == 0 then
        error("http-bench.lua: no queries in " .. path)
    end
    next_query = (tid or 0) * 997 % #queries
end

function request()
    next_query = next_query + 1
    return wrk.format("GET", queries[next_query % #queries + 1])
end

function response(status, headers, body)
    local t = body:match('"took_ms":([%d%.eE+-]+)')
    if t then
        tooks[#tooks + 1] = tonumber(t)
    end
end

function done(summary, latency, requests)
    local all = {}
    for _, thread in ipairs(threads) do
        for _, t in ipairs(thread:get("tooks") or {}) do
            all[#all + 1] = t
        end
    end
    table.sort(all)
    local took_p50 = #all > 0 and all[math.floor((#all - 1) / 2) + 1] or -1
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.status + e.timeout
    local n = summary.requests
    local secs = summary.duration / 1e6
    io.write(string.format(
        "RESULT %s conc=%d n=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f qps=%.1f errors=%d"
            .. " took_p50_ms=%.3f\n",
        os.getenv("HTTP_BENCH_LABEL") or "tracuu-http", tonumber(os.getenv("HTTP_BENCH_CONC") or 0),
        n, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000,
        secs > 0 and n / secs or 0, errors, took_p50))
end
