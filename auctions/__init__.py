"""Live auctions (seed 003): bids decided in Redis, queued in SQS FIFO, kept in DynamoDB.

- :mod:`auctions.bidbook` and ``place_bid.lua``: one atomic script decides each bid;
- :mod:`auctions.outbox`: accepted bids forwarded to SQS in order, mirrored into ``auctions``;
- :mod:`auctions.handlers`: the ``placeBid``, ``auctionBids`` and ``myBids`` actions;
- :mod:`auctions.channels` and :mod:`auctions.closing`: the IVS channel, the close.
"""
