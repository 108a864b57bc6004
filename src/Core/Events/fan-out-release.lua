-- Drops a fan-out's claim (not a 'done'); a claim carries no owner, so this is called only by the copy that
-- holds it, before its lease ends. KEYS: the event's fan-out claim.
if redis.call('GET', KEYS[1]) == 'claimed' then redis.call('DEL', KEYS[1]) end
return 0
