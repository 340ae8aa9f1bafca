-- wrk script for GETs with the session cookie of a logged-in user.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
