-- wrk script for GETs with the session cookie of a logged-in user. Anything but a 200
-- (a redirect to the login page included) is counted as a bad response.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  first_bad = 0
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if first_bad == 0 then
      first_bad = status
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  local status = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    if status == 0 then
      status = thread:get("first_bad")
    end
  end
  io.write(string.format("Bad responses: %d\n", total))
  if total > 0 then
    io.write(string.format("First bad status: %d\n", status))
  end
end
