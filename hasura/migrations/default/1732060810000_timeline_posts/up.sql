-- Seed 004: time-limited posts with replies and likes. A post lives for one of a fixed set
-- of lifetimes (an enum table, so GraphQL clients see the choices); its expires_at is
-- computed here, whoever writes the row, so no client can pick another lifetime.
CREATE TABLE public.post_lifetimes (
    value text NOT NULL,
    comment text NOT NULL,
    CONSTRAINT post_lifetimes_pkey PRIMARY KEY (value)
);
COMMENT ON TABLE public.post_lifetimes IS 'How long a post lives: the fixed choices (Hasura enum table)';

INSERT INTO public.post_lifetimes (value, comment) VALUES
    ('one_hour', '1 hour'),
    ('six_hours', '6 hours'),
    ('one_day', '1 day'),
    ('one_week', '7 days'),
    ('thirty_days', '30 days');

CREATE TABLE public.posts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    author_id text NOT NULL,
    text text NOT NULL,
    lifetime text NOT NULL DEFAULT 'one_day',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT posts_pkey PRIMARY KEY (id),
    CONSTRAINT posts_author_id_fkey FOREIGN KEY (author_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT posts_lifetime_fkey FOREIGN KEY (lifetime)
        REFERENCES public.post_lifetimes (value) ON UPDATE CASCADE ON DELETE RESTRICT,
    CONSTRAINT posts_text_length CHECK (char_length(text) BETWEEN 1 AND 280 AND btrim(text) <> ''),
    CONSTRAINT posts_expires_after_created CHECK (expires_at > created_at)
);
COMMENT ON TABLE public.posts IS 'Time-limited posts: invisible once expires_at has passed, deleted by the expire_posts sweep';
COMMENT ON COLUMN public.posts.expires_at IS 'created_at + the lifetime; set by posts_set_expiry, never by clients';

-- The timeline reads newest first (with id as the tie-break); the sweep reads by expiry.
CREATE INDEX posts_created_at_idx ON public.posts (created_at DESC, id DESC);
CREATE INDEX posts_expires_at_idx ON public.posts (expires_at);
CREATE INDEX posts_author_id_idx ON public.posts (author_id);

CREATE FUNCTION public.posts_set_expiry() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.expires_at := NEW.created_at + CASE NEW.lifetime
        WHEN 'one_hour' THEN interval '1 hour'
        WHEN 'six_hours' THEN interval '6 hours'
        WHEN 'one_day' THEN interval '1 day'
        WHEN 'one_week' THEN interval '7 days'
        WHEN 'thirty_days' THEN interval '30 days'
    END;
    IF NEW.expires_at IS NULL THEN
        RAISE EXCEPTION 'unknown post lifetime %', NEW.lifetime USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION public.posts_set_expiry() IS 'BEFORE INSERT/UPDATE trigger: expires_at from created_at and the lifetime';

CREATE TRIGGER posts_set_expiry
    BEFORE INSERT OR UPDATE OF created_at, lifetime, expires_at ON public.posts
    FOR EACH ROW EXECUTE FUNCTION public.posts_set_expiry();

CREATE TABLE public.replies (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    post_id uuid NOT NULL,
    author_id text NOT NULL,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT replies_pkey PRIMARY KEY (id),
    CONSTRAINT replies_post_id_fkey FOREIGN KEY (post_id)
        REFERENCES public.posts (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT replies_author_id_fkey FOREIGN KEY (author_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT replies_text_length CHECK (char_length(text) BETWEEN 1 AND 280 AND btrim(text) <> '')
);
COMMENT ON TABLE public.replies IS 'Replies to a post; they live and die with it';
CREATE INDEX replies_post_id_idx ON public.replies (post_id, created_at);
CREATE INDEX replies_author_id_idx ON public.replies (author_id);

CREATE TABLE public.likes (
    post_id uuid NOT NULL,
    user_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT likes_pkey PRIMARY KEY (post_id, user_id),
    CONSTRAINT likes_post_id_fkey FOREIGN KEY (post_id)
        REFERENCES public.posts (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT likes_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE public.likes IS 'One like per user and post';
CREATE INDEX likes_user_id_idx ON public.likes (user_id);
