-- Takes a free job lease or renews one's own. KEYS: the lease. ARGV: owner, ms. 1 when held now.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
