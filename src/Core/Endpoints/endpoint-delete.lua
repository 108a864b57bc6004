-- Deletes an endpoint's record if it still has the version asked for. KEYS: the endpoint. ARGV: the version it must
-- still have (empty: any). 1 deleted, 0 changed meanwhile, -1 gone.
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if ARGV[1] ~= '' and (cjson.decode(current).version or 0) ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
