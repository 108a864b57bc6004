-- Compare and set of an endpoint by its version. KEYS: the endpoint. ARGV: the endpoint's new JSON, the version it was
-- read at. 1 replaced, 0 changed by someone else since it was read, -1 gone.
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if (cjson.decode(current).version or 0) ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
