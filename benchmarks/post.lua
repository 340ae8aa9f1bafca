-- wrk script for POSTs: method, body and headers come from environment variables
-- set by bench.py, so one script serves every form.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
