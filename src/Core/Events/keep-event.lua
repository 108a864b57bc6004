-- Keeps a dead letter's event as long as the dead letter. KEYS: the stored event. ARGV: the dead letters' retention (ms).
-- 1 when the event is kept at least that long now, 0 when it is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'GT')
return 1
