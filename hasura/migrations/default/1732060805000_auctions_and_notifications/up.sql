-- Live auctions (seed 003). Bids are checked and ordered in Redis; this table mirrors the
-- current price and leader for subscriptions, and records the winner once the auction closes.
CREATE TABLE public.auction_status (
    value text NOT NULL,
    comment text,
    CONSTRAINT auction_status_pkey PRIMARY KEY (value)
);
COMMENT ON TABLE public.auction_status IS 'Statuses of an auction (a Hasura enum)';
INSERT INTO public.auction_status (value, comment) VALUES
    ('OPEN', 'Taking bids between its start and end time'),
    ('CLOSED', 'Ended; winner and final price recorded');

CREATE TABLE public.auctions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    seller_id text NOT NULL,
    title text NOT NULL,
    description text,
    start_time timestamptz NOT NULL DEFAULT now(),
    end_time timestamptz NOT NULL,
    start_price numeric(12, 2) NOT NULL,
    min_increment numeric(12, 2) NOT NULL DEFAULT 1,
    status text NOT NULL DEFAULT 'OPEN',
    ivs_channel_arn text,
    ivs_playback_url text,
    current_price numeric(12, 2),
    current_leader_id text,
    bid_count integer NOT NULL DEFAULT 0,
    winner_id text,
    final_price numeric(12, 2),
    close_event_id text,
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT auctions_pkey PRIMARY KEY (id),
    CONSTRAINT auctions_seller_id_fkey FOREIGN KEY (seller_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT auctions_current_leader_id_fkey FOREIGN KEY (current_leader_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT auctions_winner_id_fkey FOREIGN KEY (winner_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT auctions_status_fkey FOREIGN KEY (status)
        REFERENCES public.auction_status (value) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT auctions_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT auctions_times_check CHECK (end_time > start_time),
    CONSTRAINT auctions_prices_check CHECK (start_price > 0 AND min_increment > 0),
    -- A closed auction has a closing time; a winner always comes with the price paid.
    CONSTRAINT auctions_closed_check CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
    CONSTRAINT auctions_winner_check CHECK ((winner_id IS NULL) = (final_price IS NULL))
);
COMMENT ON TABLE public.auctions IS 'A live flash auction; prices and winners are written by the backend only';
COMMENT ON COLUMN public.auctions.current_price IS 'Mirror of the highest accepted bid (Redis is the source)';
COMMENT ON COLUMN public.auctions.close_event_id IS 'The one-off scheduled event that closes the auction';
CREATE INDEX auctions_status_end_time_idx ON public.auctions (status, end_time);
CREATE INDEX auctions_seller_id_idx ON public.auctions (seller_id);

CREATE TRIGGER auctions_set_updated_at
    BEFORE UPDATE ON public.auctions
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE public.notification_kind (
    value text NOT NULL,
    comment text,
    CONSTRAINT notification_kind_pkey PRIMARY KEY (value)
);
COMMENT ON TABLE public.notification_kind IS 'What a notification tells (a Hasura enum)';
INSERT INTO public.notification_kind (value, comment) VALUES
    ('OUTBID', 'Someone bid more than you'),
    ('WON', 'You won the auction'),
    ('SOLD', 'Your auction sold'),
    ('ENDED', 'Your auction ended without a bid');

CREATE TABLE public.notifications (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id text NOT NULL,
    auction_id uuid NOT NULL,
    kind text NOT NULL,
    amount numeric(12, 2),
    message text NOT NULL,
    dedup_key text NOT NULL,
    read boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    -- A redelivered queue message inserts nothing new.
    CONSTRAINT notifications_dedup_key_key UNIQUE (dedup_key),
    CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT notifications_auction_id_fkey FOREIGN KEY (auction_id)
        REFERENCES public.auctions (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT notifications_kind_fkey FOREIGN KEY (kind)
        REFERENCES public.notification_kind (value) ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE public.notifications IS 'Outbid, won, sold and ended notices, written by the notification Lambda';
CREATE INDEX notifications_user_id_created_at_idx
    ON public.notifications (user_id, created_at DESC);
CREATE INDEX notifications_auction_id_idx ON public.notifications (auction_id);
