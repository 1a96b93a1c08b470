-- Check and record one bid atomically (Redis runs a script alone: no bid interleaves).
-- KEYS: 1 auction hash, 2 accepted bid ids of the auction, 3 bidder's rate counter, 4 outbox
-- ARGV: 1 auction id, 2 bid id, 3 bidder, 4 amount (cents), 5 anti-sniping window (us),
--       6 bids allowed per window, 7 rate window (ms)
-- Returns {'unknown'} | {'rejected', reason, price, leader, end_us, minimum}
--       | {'accepted', sequence, timestamp_us, price, end_us, extended, previous_leader}
local auction, seen, rate, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local auction_id, bid_id, bidder = ARGV[1], ARGV[2], ARGV[3]
local amount, snipe_us = tonumber(ARGV[4]), tonumber(ARGV[5])
local limit, window_ms = tonumber(ARGV[6]), tonumber(ARGV[7])

if redis.call('EXISTS', auction) == 0 then return {'unknown'} end
local a = redis.call('HMGET', auction, 'seller', 'start_us', 'end_us', 'start_price',
                     'increment', 'price', 'leader', 'seq', 'last_us', 'closed')
local seller, start_us, end_us = a[1], tonumber(a[2]), tonumber(a[3])
local start_price, increment = tonumber(a[4]), tonumber(a[5])
local price, leader = tonumber(a[6]) or 0, a[7] or ''
local seq, last_us, closed = tonumber(a[8]) or 0, tonumber(a[9]) or 0, a[10] == '1'
local minimum = start_price
if leader ~= '' then minimum = price + increment end

local function reject(reason)
  return {'rejected', reason, price, leader, end_us, minimum}
end

-- A retry of an accepted bid is answered, never counted again (and costs no rate budget).
if redis.call('HEXISTS', seen, bid_id) == 1 then return reject('duplicate') end
local used = redis.call('INCR', rate)
if used == 1 then redis.call('PEXPIRE', rate, window_ms) end
if used > limit then return reject('rate-limited') end

local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
if closed or now_us < start_us or now_us >= end_us then return reject('auction-closed') end
if bidder == seller then return reject('own-auction') end
if amount < minimum then return reject('too-low') end

seq = seq + 1
-- Strictly increasing per auction, so `timestamp#user_id` sorts in acceptance order.
local ts = now_us
if ts <= last_us then ts = last_us + 1 end
local extended = 0
if end_us - now_us < snipe_us then
  end_us = end_us + snipe_us
  extended = 1
end
redis.call('HSET', auction, 'price', amount, 'leader', bidder, 'seq', seq, 'last_us', ts,
           'end_us', end_us)
redis.call('HSET', seen, bid_id, seq)
-- cjson writes numbers with 14 significant digits: microsecond times (16 digits) go as text.
redis.call('RPUSH', outbox, cjson.encode({
  auction_id = auction_id, bid_id = bid_id, user_id = bidder, amount_cents = amount,
  sequence = seq, timestamp_us = string.format('%d', ts),
  end_us = string.format('%d', end_us), extended = extended, previous_leader = leader,
}))
return {'accepted', seq, ts, amount, end_us, extended, leader}
