-- wrk script for POSTs: method, body and headers come from environment variables set by
-- bench.py, so one script serves every form. Success is the redirect to the ticket after
-- the form was accepted; any other answer (a form shown again, an error, a redirect to the
-- login page) is counted as a bad response.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  local redirected = status == 302 or status == 303
  if not redirected or not string.find(location, "/tickets/", 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("Bad responses: %d\n", total))
end
