-- A new pending delivery of an event per endpoint, unless the endpoint has one already (a fan-out interrupted
-- before it finished). KEYS: the event's deliveries. ARGV: retention ms, then per endpoint its id and its pending
-- record. Returns, per endpoint, false when the pending record was added, else the record it already had.
local existing = {}
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    existing[#existing + 1] = false
  else
    existing[#existing + 1] = redis.call('HGET', KEYS[1], ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return existing
