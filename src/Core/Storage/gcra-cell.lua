-- include gcra
-- One GCRA cell: an endpoint's rate limit and turns, a tenant's fast-lane allowance, data-link limits.
-- KEYS[1]: the cell. ARGV: emission interval (µs), burst tolerance (µs), the mode ('0': take the cells now or
-- say how long until they are free; '1': reserve the turn even if it is later; '2': only look, take nothing),
-- the cost in cells. Returns 0 when admitted now, else the µs until the caller's turn (taken when reserving).
local now = gcra_now()
local interval, tolerance, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local tat = gcra_tat(KEYS[1], now)
local wait = gcra_wait(tat, now, interval, tolerance, cost)
if ARGV[3] == '2' then return math.max(wait, 0) end
if wait > 0 and ARGV[3] ~= '1' then return wait end
gcra_take(KEYS[1], tat, now, interval, cost)
if wait < 0 then return 0 end
return wait
