-- Close an auction once its end (with extensions) has passed; after this no bid is taken.
-- KEYS: 1 auction hash.  Returns {'unknown'} | {'open', end_us} | {'closed', price, leader}
local auction = KEYS[1]
if redis.call('EXISTS', auction) == 0 then return {'unknown'} end
local a = redis.call('HMGET', auction, 'end_us', 'price', 'leader')
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
if now_us < tonumber(a[1]) then return {'open', tonumber(a[1])} end
redis.call('HSET', auction, 'closed', '1')
return {'closed', tonumber(a[2]) or 0, a[3] or ''}
