-- Deletes an endpoint with its other keys in its slot. KEYS: the endpoint, then its other keys (run of failures,
-- attempts and their bytes, stats summary, pending deliveries; its stats buckets expire). ARGV: the version it must
-- still have (empty: any). 1 deleted, 0 changed meanwhile, -1 gone.
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if ARGV[1] ~= '' and (cjson.decode(current).version or 0) ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', unpack(KEYS))
return 1
