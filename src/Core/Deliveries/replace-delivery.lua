-- Compare and set of one delivery's record. KEYS: the event's deliveries. ARGV: the endpoint id, the record expected
-- there ('' for none), the new record, retention ms. 1 when replaced; 0 when the record is no longer the one expected.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
