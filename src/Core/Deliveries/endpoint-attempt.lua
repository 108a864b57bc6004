-- include bounded-log
-- The endpoint's side of an attempt. KEYS: its attempts, their bytes, its five-minute and hourly stats
-- buckets, its stats summary, its pending deliveries, its run of failures (since, announced), its in-flight leases. ARGV: the attempt, attempts kept per endpoint,
-- retention ms, attempt-log bytes allowed, 'ok' or 'failed', the latency bucket, the attempt's time (ms),
-- stats kept (ms), the delivery id, '1' when no attempt follows a failure (a test's one attempt): the delivery is
-- no longer pending after a success or such a last attempt, and pending after any other failure; and a failure's kind ('' for a success), counted in the
-- stats buckets too; '1' when the attempt ends the endpoint's run of failures (a success that is not a test's); the in-flight
-- lease the request held ('' when none is given back here), released first.
-- An attempt already at the head (a record retried after Redis failed midway) is not counted twice.
if ARGV[13] ~= '' then redis.call('ZREM', KEYS[9], ARGV[13]) end
if not bounded_push(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4]), ARGV[3]) then return 0 end
for i = 3, 4 do
  redis.call('HINCRBY', KEYS[i], ARGV[5], 1)
  redis.call('HINCRBY', KEYS[i], ARGV[6], 1)
  if ARGV[11] ~= '' then redis.call('HINCRBY', KEYS[i], ARGV[11], 1) end
  redis.call('PEXPIRE', KEYS[i], ARGV[8])
end
redis.call('HSET', KEYS[5], ARGV[5] == 'ok' and 'lastSuccessAt' or 'lastFailureAt', ARGV[7])
redis.call('PEXPIRE', KEYS[5], ARGV[8])
if ARGV[5] == 'ok' or ARGV[10] == '1' then
  redis.call('ZREM', KEYS[6], ARGV[9])
else
  -- A failure to be retried: pending at the endpoint from now on, if it was not counted already (a first attempt made at fan-out was not).
  redis.call('ZADD', KEYS[6], 'NX', ARGV[7], ARGV[9])
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', tonumber(ARGV[7]) - tonumber(ARGV[3]))
  redis.call('PEXPIRE', KEYS[6], ARGV[3])
end
if ARGV[12] == '1' then redis.call('DEL', KEYS[7], KEYS[8]) end
return 1
