-- When an endpoint's run of failures began: now, unless it had begun before; in one step (a success clearing the
-- streak between a SET and a GET once left a null, read as 1970). KEYS: the endpoint's failing-since. ARGV: now (ms).
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
